/**
 * The command line that runs an engine job: `python -m testtune_engine <job> --spec <file>`,
 * directly or through a multi-process launcher (accelerate or torchrun) for several GPUs.
 */

/** Runs a job as several processes; only rank 0 emits events. */
export interface EngineLauncher {
  /** `accelerate launch` (DDP by default; FSDP or DeepSpeed through `configFile`) or `torchrun` (plain DDP). */
  kind: "accelerate" | "torchrun";
  /** Processes on this machine: one per GPU, or CPU processes. */
  processes: number;
  /** "cpu": the processes train on the CPU with the gloo backend even where CUDA exists. Default: the GPUs
   * (nccl) where CUDA exists, else the CPU; the job picks. */
  device?: "cpu" | "gpu";
  /** An accelerate config file (e.g. configs/accelerate/fsdp.yaml); accelerate only. */
  configFile?: string;
  /** Extra launcher flags, placed before the module, e.g. ["--mixed_precision", "bf16"]. */
  args?: string[];
}

export interface EngineCommand {
  command: string;
  args: string[];
  /** Variables the command needs on top of the Python environment's. */
  env: Record<string, string>;
}

/** Seconds the launcher gives the processes to save a checkpoint after Ctrl-C before it kills them (torch's default: 30). */
export const SHUTDOWN_TIMEOUT_S = 300;

export function engineCommand(python: string, module: string, job: string, specFile: string, launcher?: EngineLauncher): EngineCommand {
  const jobArgs = ["-m", module, job, "--spec", specFile];
  if (launcher === undefined) return { command: python, args: jobArgs, env: {} };
  const processes = String(launcher.processes);
  // Both launchers are run as modules of the same interpreter, so no PATH lookup can pick another Python.
  // accelerate starts one worker per process (through torch.distributed.run) only with --multi_gpu
  // or a config file that says so; the flag holds on CPU too, where the job then picks gloo.
  const accelerateMode = launcher.configFile !== undefined ? ["--config_file", launcher.configFile] : launcher.processes > 1 ? ["--multi_gpu"] : [];
  const launch =
    launcher.kind === "accelerate"
      ? ["-m", "accelerate.commands.launch", ...accelerateMode, "--num_processes", processes]
      : ["-m", "torch.distributed.run", "--nproc_per_node", processes];
  const env: Record<string, string> = { TORCH_ELASTIC_SHUTDOWN_TIMEOUT: process.env.TORCH_ELASTIC_SHUTDOWN_TIMEOUT ?? String(SHUTDOWN_TIMEOUT_S) };
  if (launcher.device === "cpu") env.ACCELERATE_USE_CPU = "true";
  return { command: python, args: [...launch, ...(launcher.args ?? []), ...jobArgs], env };
}

/** The command as one line a user can paste into a POSIX shell. */
export function shellLine(command: string, args: string[], env: Record<string, string> = {}): string {
  const quote = (word: string): string => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);
  const prefix = Object.entries(env).map(([key, value]) => `${key}=${quote(value)}`);
  return [...prefix, quote(command), ...args.map(quote)].join(" ");
}
