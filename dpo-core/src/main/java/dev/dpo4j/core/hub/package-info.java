/**
 * The Hugging Face Hub client and its cache (moving to the dpo-hub module).
 */
package dev.dpo4j.core.hub;
