/**
 * The Hugging Face Hub client of dpo4j: {@link dev.dpo4j.hub.HubClient} downloads model snapshots and dataset
 * splits into the cache that Python's {@code huggingface_hub} uses ({@link dev.dpo4j.hub.HubCache}) or finds them
 * there, and {@link dev.dpo4j.hub.HubUploader} pushes {@link dev.dpo4j.hub.UploadFile}s to a model repository in one
 * commit ({@link dev.dpo4j.hub.PushResult}); both are configured by {@link dev.dpo4j.hub.HubOptions} (the
 * {@code HF_*} environment) and fail with a {@link dev.dpo4j.hub.HubException} whose kind tells the cases apart;
 * {@link dev.dpo4j.hub.ModelFiles} names the files of a Hugging Face model folder, and
 * {@link dev.dpo4j.hub.ModelFileException} is what a file of one that cannot be read or describes no usable model
 * throws, naming the file and key. No DJL and nothing of dpo-core: the engine depends on this module.
 */
package dev.dpo4j.hub;
