/**
 * How dataset files are named, in one place for the Hub client and the readers: the data-file formats and their
 * extensions ({@link dev.dpo4j.hub.datasets.DataFileFormat}), the words of train and evaluation splits
 * ({@link dev.dpo4j.hub.datasets.SplitNames}), and the {@code datasets} library's rules for grouping a
 * repository's files into splits ({@link dev.dpo4j.hub.datasets.DatasetSplits}).
 */
package dev.dpo4j.hub.datasets;
