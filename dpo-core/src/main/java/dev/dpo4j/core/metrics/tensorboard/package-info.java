/**
 * TensorBoard event files ({@code report_to tensorboard}): {@code TensorBoardWriter}, the training listener that
 * writes each logged metric as a scalar summary under transformers' tags ({@code train/loss}, {@code eval/loss}),
 * {@code Events}, the few fields of TensorFlow's {@code Event} protocol buffer it needs, and {@code TfRecordWriter},
 * the TFRecord framing with its masked CRC32C checksums.
 */
package dev.dpo4j.core.metrics.tensorboard;
