/**
 * The command line that runs an engine job: `python -m testtune_engine <job> --spec <file>`,
 * directly or through a multi-process launcher (accelerate or torchrun) for several GPUs.
 */

/** Runs a job as several processes; only rank 0 emits events. */
export interface EngineLauncher {
  /** `accelerate launch` (reads the user's accelerate config: DDP, FSDP, DeepSpeed) or `torchrun` (plain DDP). */
  kind: "accelerate" | "torchrun";
  /** Processes on this machine, normally one per GPU. */
  processes: number;
  /** Extra launcher flags, placed before the module, e.g. ["--mixed_precision", "bf16"]. */
  args?: string[];
}

export interface EngineCommand {
  command: string;
  args: string[];
}

export function engineCommand(python: string, module: string, job: string, specFile: string, launcher?: EngineLauncher): EngineCommand {
  const jobArgs = ["-m", module, job, "--spec", specFile];
  if (launcher === undefined) return { command: python, args: jobArgs };
  const processes = String(launcher.processes);
  // Both launchers are run as modules of the same interpreter, so no PATH lookup can pick another Python.
  const launch =
    launcher.kind === "accelerate"
      ? ["-m", "accelerate.commands.launch", "--num_processes", processes]
      : ["-m", "torch.distributed.run", "--nproc_per_node", processes];
  return { command: python, args: [...launch, ...(launcher.args ?? []), ...jobArgs] };
}

/** The command as one line a user can paste into a POSIX shell. */
export function shellLine(command: string, args: string[], env: Record<string, string> = {}): string {
  const quote = (word: string): string => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);
  const prefix = Object.entries(env).map(([key, value]) => `${key}=${quote(value)}`);
  return [...prefix, quote(command), ...args.map(quote)].join(" ");
}
