/**
 * The entry point of dataset loading: {@code PreferenceDatasets} loads local files through a
 * {@code DatasetAdapter} into a lazy, re-iterable {@code PreferenceDataset} and splits it into train and eval sets
 * ({@code TrainEvalSplit}), strictly or leniently ({@code LoadOptions}, {@code SplitOptions}), reporting what a
 * lenient pass skipped ({@code SkipReport}). Brings no DJL and nothing of dpo-core.
 */
package dev.dpo4j.adapters;
