/**
 * Options declared once and validated the same everywhere: {@code Option} on a record component declares an option
 * (name, one-line doc, default, range), {@code OptionRecords} derives defaults, checks, records built by name and
 * values by name from those declarations, {@code OptionRef} names an option by its accessor, and {@code Problems}
 * lists every problem at once, each naming its option.
 */
package dev.dpo4j.api.options;
