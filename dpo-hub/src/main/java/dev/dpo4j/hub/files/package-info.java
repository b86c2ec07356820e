/**
 * File operations shared by the modules that write files: {@link dev.dpo4j.hub.files.AtomicFiles} moves a
 * finished file or folder into place with one documented fallback rule, for the Hub cache (blobs, refs) and for
 * dpo-core's checkpoints. This module is the lowest one that does file I/O, so the rule lives here.
 */
package dev.dpo4j.hub.files;
