package dev.dpo4j.adapters;

/**
 * A training set and an evaluation set, and how the split was made.
 *
 * @param train the training examples
 * @param eval the evaluation examples
 * @param fromDataset true when the dataset's own eval files were used, false for a seeded row split
 * @param description a sentence saying which files or which fraction went where
 */
public record TrainEvalSplit(PreferenceDataset train, PreferenceDataset eval, boolean fromDataset,
        String description) {
}
