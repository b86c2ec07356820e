/**
 * The stable surface of dpo4j that every other module builds on: the one spelling rule of named options
 * ({@code Names}) and the lookup of a value by such a name ({@code NamedChoices}). The subpackages hold the data,
 * template, loss and training-event types; none of them depends on the engine.
 */
package dev.dpo4j.api;
