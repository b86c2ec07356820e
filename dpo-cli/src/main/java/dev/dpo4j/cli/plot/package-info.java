/**
 * The training-curve PNG written when a run ends ({@code TrainingCurvePlot}): loss, reward accuracy and reward
 * margin over the steps, training and evaluation series, drawn with JFreeChart; {@code ChartSupport} says whether
 * the Java runtime can draw it.
 */
package dev.dpo4j.cli.plot;
