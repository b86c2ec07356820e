/**
 * Not API: the validation of option records, which lists every problem at once, each naming its option.
 * Internal to dpo-core; may change in any release.
 */
package dev.dpo4j.core.internal.options;
