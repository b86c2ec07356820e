/**
 * The {@code dpo} command line tool: its flags, named as TRL's ({@code DpoOptions}), the layering of command line,
 * {@code --config} file and defaults ({@code ArgumentResolver}, {@code ConfigFile}, {@code ConfigDefaults}), one run
 * ({@code DpoRun}) and what it prints ({@code RunReport}); {@code DpoCommand} is the entry point.
 */
package dev.dpo4j.cli;
