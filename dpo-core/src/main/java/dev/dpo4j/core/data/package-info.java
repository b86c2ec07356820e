/**
 * From examples to arrays: tokenizing a pair through its template ({@code PairEncoder}), the tokenized dataset
 * ({@code PreparedData}), the order of micro-batches ({@code BatchOrder}) and padding pairs into one batch
 * ({@code PairCollator}, {@code PairBatch}).
 */
package dev.dpo4j.core.data;
