/**
 * Preference data as the trainer sees it: a pair ({@code PreferenceExample}) of a prompt conversation
 * ({@code ChatMessage}s) with a chosen and a rejected completion, a raw dataset row ({@code DatasetRow}), the
 * adapter that turns rows of a published schema into pairs ({@code DatasetAdapter}), and the error that names the
 * file, row and field of bad input ({@code DataFormatException}).
 */
package dev.dpo4j.api.data;
