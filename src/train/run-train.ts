/**
 * `testtune train <job> --config <file>` as a library call: validate the YAML config, and run
 * the engine job; for ppo and grpo, first start the sandbox and the reward service and hand
 * the job its URL.
 */
import { cpus } from "node:os";
import { join } from "node:path";
import type { EngineLauncher } from "../engine/command.js";
import { runEngineJob, type EngineJobResult } from "../engine/job.js";
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
  /** Processes (GPUs) to launch the job on through accelerate; 1 runs it directly. */
  gpus?: number;
  quiet?: boolean;
  log?: (line: string) => void;
}

function launcher(job: TrainCommandJob, gpus: number | undefined): EngineLauncher | undefined {
  if (gpus === undefined || gpus === 1) return undefined;
  if (!Number.isInteger(gpus) || gpus < 1) throw new UsageError(`--gpus must be a positive integer, got ${gpus}`);
  if (job === "ppo") throw new UsageError("the ppo job runs as one process", "drop --gpus, or train with grpo, which scales over GPUs");
  return { kind: "accelerate", processes: gpus };
}

export async function runTrainJob(job: TrainCommandJob, file: string, options: TrainOptions = {}): Promise<EngineJobResult> {
  const engine = (config: { output_dir: string }) => ({
    launcher: launcher(job, options.gpus),
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
