/**
 * {@code dpo --nproc_per_node N}: the launcher that starts the ranks of one node as child JVMs, as torchrun does.
 * Its flags ({@code LaunchOptions}) make a plan ({@code LaunchPlan}: world size, ranks, master address) or none (the
 * command then runs as one process, or as the rank torchrun, Slurm or Kubernetes set in the environment); each rank
 * is a command and torchrun's environment variables ({@code RankProcess}, from {@code JavaCommand}); the
 * {@code Supervisor} starts them, forwards SIGINT/SIGTERM, stops the rest when one fails and returns the first
 * failing rank's exit code, while the {@code OutputRelay} lets rank 0 speak for the run and shows another rank's
 * lines only where they differ from rank 0's.
 */
package dev.dpo4j.cli.launch;
