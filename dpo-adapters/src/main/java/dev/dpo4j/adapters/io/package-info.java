/**
 * Reading dataset files row by row without holding them in memory: Parquet (without Hadoop), JSON Lines and JSON
 * arrays, gzip for the JSON ones, folders and shard lists ({@code DatasetFiles}), behind {@code DatasetReader}, with
 * strict or lenient handling of rows that cannot be parsed ({@code BadRowHandler}).
 */
package dev.dpo4j.adapters.io;
