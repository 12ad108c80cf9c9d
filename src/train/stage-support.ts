/**
 * What the pipeline's prefs, dpo, ppo and grpo stages share: their config section, the train
 * tasks, the sandbox, and the model they start from.
 *
 * dpo, ppo and grpo each start from a model (the SFT model, or the stage named by their
 * section's `from`) and train a new LoRA adapter on it. So that "the adapter disabled" is the
 * start model (the reference), it must be one full model directory: a start stage that left
 * an adapter is merged once into <stage>/merged. After training, each stage merges its adapter
 * into the start model as <stage>/final, a plain model directory that eval and export read
 * like any other.
 */
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { validate } from "../config/load.js";
import { STAGES, stageReward, type RunConfig } from "../config/run-config.js";
import { trainSectionSchemas, type TrainSection } from "../config/train-config.js";
import { ConfigError, TesttuneError } from "../errors.js";
import { runEngineJob, type EngineJobResult } from "../engine/job.js";
import { runPaths, stageDir, type StageContext } from "../pipeline/context.js";
import { MUTANTS_REQUIRED } from "../quality/rewards.js";
import { stageModelRef } from "../pipeline/models.js";
import { SandboxPool } from "../sandbox/pool.js";
import { taskSchema, type Task } from "../tasks/schema.js";
import { readJsonlAll } from "../util/jsonl.js";
import type { z } from "zod";

/** The run's train tasks, the first `maxTasks` of them when set. */
export async function trainTasks(ctx: StageContext, maxTasks: number | undefined): Promise<Task[]> {
  const file = runPaths.trainTasks(ctx.runDir);
  const tasks = (await readJsonlAll(file)).map((row) => validate(taskSchema, row.value, `${file} line ${row.line}`));
  return maxTasks === undefined ? tasks : tasks.slice(0, maxTasks);
}

/** Runs `work` with a sandbox pool set up as the run config says, closing it afterwards. */
export async function withSandbox<T>(config: RunConfig, work: (pool: SandboxPool, workers: number) => Promise<T>): Promise<T> {
  const workers = config.sandbox.workers ?? cpus().length;
  const pool = await SandboxPool.start({ workers, isolation: config.sandbox.isolation, defaultTimeoutS: config.sandbox.timeout_s });
  try {
    return await work(pool, workers);
  } finally {
    await pool.close();
  }
}

type SectionOf<K extends TrainSection> = z.output<(typeof trainSectionSchemas)[K]>;

/**
 * The config a stage runs with: its section (`grpo` for `grpo_strength`), with the fields its
 * reward variant sets under `variants.<preset>` in place of the section's.
 */
export function stageSection<K extends TrainSection>(config: RunConfig, stage: string, key: K): SectionOf<K> {
  const { variants, ...base } = config[key] as { variants: Partial<Record<string, Record<string, unknown>>> };
  const reward = stageReward(config, stage);
  const own = stage === key ? {} : (variants[reward] ?? {});
  const section = trainSectionSchemas[key].parse({ ...base, ...own }) as SectionOf<K>;
  if ("mutants" in section && section.mutants === false && MUTANTS_REQUIRED.has(reward)) {
    const field = "mutants" in own ? `${key}.variants.${reward}.mutants` : `${key}.mutants`;
    throw new ConfigError("config", field, `${stage} trains with the '${reward}' reward, which pays only for mutants killed: without mutants every file would earn 0`, {
      hint: "set it to true (the default); docs/rewards.md describes each reward preset",
    });
  }
  return section;
}

/**
 * The model `stage` starts from (`from`: "sft" or an earlier training stage) as one full model
 * directory, an adapter merged into <from>/merged once.
 */
export async function startModel(ctx: StageContext, stage: string, from: string): Promise<string> {
  const order = STAGES as readonly string[];
  if (from !== "sft" && !(order.indexOf(from) < order.indexOf(stage))) {
    throw new TesttuneError("E_CONFIG", `${stage} cannot start from '${from}': that stage runs after it`, {
      hint: "set 'from' to sft or a stage earlier in the pipeline order ('testtune config schema' lists the stages)",
    });
  }
  const ref = stageModelRef(ctx.runDir, ctx.config, from);
  if (ref.adapter === undefined) return ref.model;
  const merged = join(stageDir(ctx, from), "merged");
  // The merge job renames its output into place only when complete.
  if (!existsSync(join(merged, "config.json"))) {
    ctx.log(`  merging the ${from} adapter into ${from}/merged (the start model of this stage)`);
    await runEngineJob("merge", { model: ref.model, adapter: ref.adapter, output_dir: merged }, { quiet: ctx.quiet, label: `merge ${from}` });
  }
  return merged;
}

/** Folds the stage's adapter (<stage>/train/final unless named) into its start model as <stage>/final. */
export async function mergeStageAdapter(ctx: StageContext, stage: string, start: string, adapter?: string): Promise<void> {
  const dir = stageDir(ctx, stage);
  await runEngineJob("merge", { model: start, adapter: adapter ?? join(dir, "train", "final"), output_dir: join(dir, "final") }, { quiet: ctx.quiet, label: `merge ${stage}` });
}

/** The figures a training stage records in its status.json: the last value of each metric. */
export function stageFigures(stage: string, result: EngineJobResult, steps: number): Record<string, unknown> {
  const last = (name: string): number | null => {
    const found = result.metrics.filter((m) => typeof m[name] === "number").at(-1);
    return found === undefined ? null : (found[name] as number);
  };
  return {
    model: `${stage}/final`,
    adapter: `${stage}/train/final`,
    steps,
    final_loss: last("loss"),
    reward_mean: last("reward_mean"),
    valid_rate: last("valid_rate"),
    kl: last("kl"),
    tokens_per_s: last("tokens_per_s"),
    job_seconds: result.durationMs / 1000,
  };
}
