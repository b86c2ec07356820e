/**
 * Runnable examples of dpo4j as a library: training from Java with the builder ({@code ProgrammaticTraining}), a
 * dataset adapter for a schema of one's own ({@code CustomAdapterExample}) and a loss of one's own
 * ({@code CustomLossExample}). Tests run each of them.
 */
package dev.dpo4j.examples;
