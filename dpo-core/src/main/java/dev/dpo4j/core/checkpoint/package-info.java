/**
 * Files of a run: safetensors reading and writing ({@code Safetensors}), Hugging Face model folders
 * ({@code ModelFolder}) and resumable training checkpoints ({@code TrainingCheckpoint}), each written to a temporary
 * folder and moved into place.
 */
package dev.dpo4j.core.checkpoint;
