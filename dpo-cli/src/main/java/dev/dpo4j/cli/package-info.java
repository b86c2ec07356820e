/**
 * The {@code dpo} command line tool: its flags, named as TRL's ({@code DpoOptions}), the layering of command line,
 * {@code --config} file and defaults ({@code ArgumentResolver}, {@code ConfigFile}, {@code ConfigDefaults}), one run
 * ({@code DpoRun}) with its checks ({@code DataCheck}) and what it prints ({@code RunReport}, {@code ExamplePreview});
 * {@code DpoCommand} is the entry point, with its exit codes and Ctrl-C handling ({@code Interruption}); with
 * {@code --nproc_per_node} it launches ranks instead ({@code launch}).
 */
package dev.dpo4j.cli;
