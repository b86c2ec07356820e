/**
 * Option validation shared by every module's option records: {@code Problems} lists every problem at once, each
 * naming its option.
 */
package dev.dpo4j.api.options;
