/**
 * `testtune train <job> --config <file>` as a library call: validate the YAML config, and run
 * the engine job; for ppo and grpo, first start the sandbox and the reward service and hand
 * the job its URL.
 */
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import type { EngineLauncher } from "../engine/command.js";
import { readEnvInfo } from "../engine/env-info.js";
import { runEngineJob, type EngineJobResult } from "../engine/job.js";
import { pythonEnv } from "../engine/python-env.js";
import { DataError, UsageError } from "../errors.js";
import { loadTaskMap } from "../quality/inputs.js";
import { SandboxPool } from "../sandbox/pool.js";
import type { Task } from "../tasks/schema.js";
import { readJsonlAll } from "../util/jsonl.js";
import { loadTrainConfig, type TrainCommandJob, type TrainJobConfig } from "./job-config.js";
import { writePromptsFile } from "./prompts-file.js";
import { withRewardService } from "./reward-service.js";

export interface TrainOptions {
  /** `key=value` overrides applied over the file, as `testtune run --set`. */
  set?: string[];
  /** CPU processes to launch the job on through accelerate (gloo); 1 runs it directly. */
  processes?: number;
  /** GPUs to launch the job on through accelerate (one process each, nccl); needs CUDA. */
  gpus?: number;
  /** An accelerate config file (FSDP, DeepSpeed: configs/accelerate/); with --gpus. */
  accelerateConfig?: string;
  quiet?: boolean;
  log?: (line: string) => void;
}

function processCount(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a positive integer, got ${value}`);
  return value;
}

/** How the job is launched: directly, as CPU processes, or one process per GPU. */
export async function trainLauncher(
  options: Pick<TrainOptions, "processes" | "gpus" | "accelerateConfig">,
  cudaDevices: () => Promise<number> = visibleCudaDevices,
): Promise<EngineLauncher | undefined> {
  const processes = processCount("processes", options.processes);
  const gpus = processCount("gpus", options.gpus);
  const configFile = options.accelerateConfig === undefined ? undefined : resolve(options.accelerateConfig);
  if (processes !== undefined && gpus !== undefined) throw new UsageError("--processes (CPU processes) and --gpus (one process per GPU) exclude each other", "pass one of them");
  if (configFile !== undefined && !existsSync(configFile)) throw new UsageError(`--accelerate-config ${configFile} does not exist`, "configs/accelerate/ has FSDP and DeepSpeed configs (docs/training.md)");
  if (processes !== undefined) {
    if (configFile !== undefined) throw new UsageError("--accelerate-config is for GPU runs (FSDP, DeepSpeed): use it with --gpus", "CPU processes train with DDP over gloo and need no config");
    return processes === 1 ? undefined : { kind: "accelerate", processes, device: "cpu" };
  }
  if (gpus === undefined) return undefined;
  const available = await cudaDevices();
  if (available === 0) throw new UsageError(`--gpus ${gpus}: this machine has no CUDA device (testtune doctor shows the devices)`, `train with several CPU processes instead: --processes ${gpus}`);
  if (available < gpus) throw new UsageError(`--gpus ${gpus}: this machine has ${available} CUDA device(s)`, `pass --gpus ${available} or fewer`);
  // One GPU needs no launcher: the job picks the CUDA device itself.
  if (gpus === 1 && configFile === undefined) return undefined;
  return { kind: "accelerate", processes: gpus, device: "gpu", ...(configFile === undefined ? {} : { configFile }) };
}

async function visibleCudaDevices(): Promise<number> {
  const info = await readEnvInfo(await pythonEnv());
  return info.torch.cuda === true ? (info.torch.devices ?? []).length : 0;
}

export async function runTrainJob(job: TrainCommandJob, file: string, options: TrainOptions = {}): Promise<EngineJobResult> {
  const launcher = await trainLauncher(options);
  const engine = (config: { output_dir: string }) => ({
    launcher,
    quiet: options.quiet,
    label: `train ${job}`,
    metricsFile: join(config.output_dir, "metrics.jsonl"),
  });
  switch (job) {
    case "sft": {
      const config = loadTrainConfig("sft", file, options.set);
      return runEngineJob("sft", config, engine(config));
    }
    case "dpo": {
      const config = loadTrainConfig("dpo", file, options.set);
      return runEngineJob("dpo", config, engine(config));
    }
    case "ppo": {
      const config = loadTrainConfig("ppo", file, options.set);
      return withRewards(config, options, (spec) => runEngineJob("ppo", spec, engine(config)));
    }
    case "grpo": {
      const config = loadTrainConfig("grpo", file, options.set);
      return withRewards(config, options, (spec) => runEngineJob("grpo", spec, engine(config)));
    }
  }
}

type RewardConfig = TrainJobConfig<"ppo"> | TrainJobConfig<"grpo">;
type WithoutServiceFields<C extends RewardConfig> = Omit<C, "tasks" | "prompts" | "reward" | "sandbox" | "mutants" | "coverage" | "max_mutants">;

/** Starts the sandbox and the reward service for the config's tasks, and runs the job with their URL. */
async function withRewards<C extends RewardConfig, R>(
  config: C,
  options: TrainOptions,
  launch: (spec: WithoutServiceFields<C> & { prompts: string; reward_url: string }) => Promise<R>,
): Promise<R> {
  const { tasks: tasksFile, prompts, reward, sandbox, mutants, coverage, max_mutants: maxMutants, ...spec } = config;
  const tasks = await loadTaskMap(tasksFile);
  const promptsFile = prompts ?? join(spec.output_dir, "prompts.jsonl");
  if (prompts === undefined) writePromptsFile(promptsFile, [...tasks.values()]);
  else await checkPromptTasks(prompts, tasks, tasksFile);
  const workers = sandbox.workers ?? cpus().length;
  const pool = await SandboxPool.start({ workers, isolation: sandbox.isolation, defaultTimeoutS: sandbox.timeout_s });
  try {
    const settings = { tasks, executor: pool, reward: reward.preset, mutants, coverage, maxMutants, concurrency: workers, runTimeoutS: sandbox.timeout_s, log: options.log };
    return await withRewardService(settings, (url) => launch({ ...(spec as WithoutServiceFields<C>), prompts: promptsFile, reward_url: url }));
  } finally {
    await pool.close();
  }
}

/** Every prompt must name a task the reward service knows, or the job would fail at its first step. */
async function checkPromptTasks(file: string, tasks: ReadonlyMap<string, Task>, tasksFile: string): Promise<void> {
  for (const { line, value } of await readJsonlAll(file)) {
    const taskId = (value as { task_id?: unknown }).task_id;
    if (typeof taskId !== "string") throw new DataError(file, `line ${line}`, "field 'task_id': missing (each line is {task_id, prompt})");
    if (!tasks.has(taskId)) throw new DataError(file, `line ${line}`, `field 'task_id': task '${taskId}' is not in ${tasksFile}`, { hint: "the prompts must come from the tasks the rewards are computed on" });
  }
}
