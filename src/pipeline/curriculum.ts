/**
 * The sft stage as a curriculum (`sft.stages`, src/config/curriculum.ts): each stage trains in
 * `sft/<name>/` (checkpoints, metrics.jsonl, train.jsonl, status.json, `final`) from the model
 * of the stage before it, or from the base model. A stage whose status.json says complete is
 * skipped on a re-run; an interrupted one resumes from its newest checkpoint. `sft/final` then
 * points at the last stage's model, so later pipeline stages read the curriculum's result.
 */
import { existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { TRACES_LEARNING_RATE, TRACES_MAX_STEPS, type CurriculumStage } from "../config/curriculum.js";
import { runEngineJob } from "../engine/job.js";
import { ConfigError, TesttuneError } from "../errors.js";
import { buildPrompt, buildTarget } from "../prompts/template.js";
import { loadTaskMap } from "../quality/inputs.js";
import { SandboxPool } from "../sandbox/pool.js";
import { TokenCounter } from "../tasks/tokens.js";
import type { SftRow } from "../tasks/sft.js";
import { sftRow } from "../tasks/sft.js";
import type { Task } from "../tasks/schema.js";
import { refine, refineFiles } from "../train/refine.js";
import { syntheticTraces, type SyntheticTraceCounts } from "../train/synthetic-traces.js";
import { readTraces, traceSftRow, type Trace } from "../train/traces.js";
import { formatDuration } from "../util/progress.js";
import { Rng } from "../util/rng.js";
import { writeJsonl } from "../util/jsonl.js";
import { runPaths, stageDir, type StageContext } from "./context.js";
import { baseModel } from "./models.js";
import { runPromptOptions } from "./prompting.js";
import { readStageStatus, writeStageStatus } from "./stage-status.js";

/** Where a curriculum stage's files are, inside the run directory. */
export const curriculumDir = (runDir: string, name: string): string => join(runDir, "sft", name);

/** The tasks a stage trains on (or, for traces, repairs): its tasks file or the train split, by tier. */
async function stageTasks(ctx: StageContext, stage: CurriculumStage): Promise<Task[]> {
  const file = stage.tasks_file ?? runPaths.trainTasks(ctx.runDir);
  let tasks = [...(await loadTaskMap(file)).values()];
  if (stage.tiers !== undefined) {
    const tiers = new Set(stage.tiers);
    tasks = tasks.filter((t) => tiers.has(t.metadata.tier as number));
    if (tasks.length === 0) throw new ConfigError("run config", `sft.stages.${stage.name}.tiers`, `no task of ${file} is of tiers ${stage.tiers.join(",")}`, { hint: "TinyTests tasks carry metadata.tier; check data.tiers" });
  }
  return tasks;
}

/** The previous stage's model as the sft job starts from it: a full model, or the base and an adapter. */
function startingPoint(ctx: StageContext, previous: string | undefined): { base_model: string; adapter: string | null } {
  const base = baseModel(ctx.runDir, ctx.config);
  if (previous === undefined) return { base_model: base, adapter: null };
  return existsSync(join(previous, "adapter_config.json")) ? { base_model: base, adapter: previous } : { base_model: previous, adapter: null };
}

type TracesSettings = NonNullable<CurriculumStage["traces"]>;

/** Refine with the starting model on the stage's tasks: the repairs that ended valid, and the figures. */
async function collectTraces(ctx: StageContext, stage: CurriculumStage, tasks: Task[], dir: string, start: { base_model: string; adapter: string | null }, pool: SandboxPool): Promise<{ traces: Trace[]; collected: Record<string, unknown> }> {
  const traces = stage.traces as TracesSettings;
  const outDir = join(dir, "refine");
  const { config } = ctx;
  ctx.log(`  ${stage.name}: collecting repair traces on ${tasks.length} train tasks (${traces.rounds} rounds)`);
  const result = await refine({
    model: start.base_model,
    ...(start.adapter === null ? {} : { adapter: start.adapter }),
    tasks,
    outDir,
    n: traces.n,
    executor: pool,
    settings: {
      rounds: traces.rounds,
      sampling: { temperature: traces.temperature, top_p: config.eval.top_p, max_new_tokens: traces.max_new_tokens, batch_size: config.eval.batch_size, backend: config.eval.backend },
      seed: config.seed,
      prompt: runPromptOptions(ctx.runDir, config),
      reward: config.reward.preset,
      timeoutS: config.sandbox.timeout_s,
      quiet: ctx.quiet,
      log: ctx.log,
    },
  });
  const collected = { tasks: tasks.length, n: traces.n, "pass@1_by_round": result["pass@1_by_round"], traces_by_round: result.per_round.slice(1).map((r) => r.fixed) };
  if (result.traces === 0 && traces.synthetic_per_task === 0) {
    throw new TesttuneError("E_DATA", `stage ${stage.name}: refine collected no traces (no repair ended valid on ${tasks.length} tasks)`, {
      hint: `see ${refineFiles(outDir).results}; raise sft.stages[].traces.max_tasks, n or rounds, add synthetic_per_task, or give traces.file`,
    });
  }
  return { traces: result.traces === 0 ? [] : await readTraces(refineFiles(outDir).traces), collected };
}

/** Stage C's traces: a given file or those refine collects with the starting model, plus synthetic ones of the stage's tasks. */
async function stageTraces(ctx: StageContext, stage: CurriculumStage, dir: string, start: { base_model: string; adapter: string | null }): Promise<{ traces: Trace[]; collected?: Record<string, unknown>; synthetic?: SyntheticTraceCounts }> {
  const settings = stage.traces as TracesSettings;
  if (settings.file !== undefined && settings.synthetic_per_task === 0) return { traces: await readTraces(settings.file) };
  const tasks = new Rng(`${ctx.config.seed}:curriculum:${stage.name}`).shuffle(await stageTasks(ctx, stage)).slice(0, settings.max_tasks);
  const { sandbox } = ctx.config;
  const pool = await SandboxPool.start({ workers: sandbox.workers, isolation: sandbox.isolation, defaultTimeoutS: sandbox.timeout_s });
  try {
    const given = settings.file === undefined ? await collectTraces(ctx, stage, tasks, dir, start, pool) : { traces: await readTraces(settings.file) };
    if (settings.synthetic_per_task === 0) return given;
    const made = await syntheticTraces(tasks, pool, { perTask: settings.synthetic_per_task, seed: ctx.config.seed, timeoutS: sandbox.timeout_s });
    writeJsonl(join(dir, "synthetic-traces.jsonl"), made.traces);
    ctx.log(`  ${stage.name}: ${made.counts.traces} synthetic traces (wrong expected values) from ${made.counts.tasks_with_traces} of ${tasks.length} tasks`);
    if (given.traces.length + made.traces.length === 0) {
      throw new TesttuneError("E_DATA", `stage ${stage.name}: no traces (refine repaired nothing and no task gave a synthetic trace)`, { hint: "raise sft.stages[].traces.max_tasks, or give traces.file" });
    }
    return { ...given, traces: [...given.traces, ...made.traces], synthetic: made.counts };
  } finally {
    await pool.close();
  }
}

/** A trace's fixed file as a plain pair: the task's own prompt and the file as its target. */
function plainRow(trace: Trace, prompt: ReturnType<typeof runPromptOptions>): SftRow {
  const task: Task = { id: trace.task_id, source: "trace", code: trace.code, module: trace.module, entry_points: [], tests: trace.fixed_test, metadata: {} };
  return { task_id: trace.task_id, prompt: buildPrompt(task, prompt), completion: buildTarget(task, prompt) };
}

/** The stage's pairs, after the token-length filter. */
async function stagePairs(ctx: StageContext, stage: CurriculumStage, dir: string, start: { base_model: string; adapter: string | null }): Promise<{ rows: SftRow[]; figures: Record<string, unknown> }> {
  const prompt = runPromptOptions(ctx.runDir, ctx.config);
  const figures: Record<string, unknown> = {};
  let rows: SftRow[];
  if (stage.traces !== undefined) {
    const { traces, collected, synthetic } = await stageTraces(ctx, stage, dir, start);
    rows = traces.map((t) => traceSftRow(t, prompt));
    if (stage.traces.plain_pairs) rows = [...rows, ...traces.map((t) => plainRow(t, prompt))];
    figures.traces = traces.length;
    if (collected !== undefined) figures.collected = collected;
    if (synthetic !== undefined) figures.synthetic = synthetic;
  } else {
    rows = (await stageTasks(ctx, stage)).filter((t) => t.tests !== undefined).map((t) => sftRow(t, prompt.chat, prompt.system));
  }
  if (stage.max_tokens !== undefined) {
    const counter = TokenCounter.load(baseModel(ctx.runDir, ctx.config));
    const kept = rows.filter((r) => counter.count(r.prompt + r.completion) <= (stage.max_tokens as number));
    figures.dropped_over_max_tokens = rows.length - kept.length;
    rows = kept;
  }
  if (rows.length === 0) throw new ConfigError("run config", `sft.stages.${stage.name}`, "no training pairs left", { hint: "check the stage's tiers, tasks_file and max_tokens" });
  return { rows, figures };
}

async function trainStage(ctx: StageContext, stage: CurriculumStage, previous: string | undefined): Promise<Record<string, unknown>> {
  const { config } = ctx;
  const dir = curriculumDir(ctx.runDir, stage.name);
  const start = startingPoint(ctx, stage.from === "base" ? undefined : previous);
  const { rows, figures } = await stagePairs(ctx, stage, dir, start);
  const trainFile = join(dir, "train.jsonl");
  let train = rows;
  let devFile: string | null = null;
  if (stage.early_stopping !== undefined) {
    const shuffled = new Rng(`${config.seed}:dev:${stage.name}`).shuffle(rows);
    const devCount = Math.max(1, Math.round(stage.early_stopping.dev_fraction * rows.length));
    devFile = join(dir, "dev.jsonl");
    writeJsonl(devFile, shuffled.slice(0, devCount));
    train = shuffled.slice(devCount);
  }
  writeJsonl(trainFile, train);
  const isTraces = stage.traces !== undefined;
  const epochs = stage.epochs;
  const maxSteps = epochs !== undefined ? null : (stage.max_steps ?? (isTraces ? TRACES_MAX_STEPS : config.sft.max_steps));
  const learningRate = stage.learning_rate ?? (isTraces ? TRACES_LEARNING_RATE : config.sft.learning_rate);
  ctx.log(`  ${stage.name}: ${train.length} pairs${devFile === null ? "" : ` (+${rows.length - train.length} dev)`}, ${maxSteps === null ? `${epochs} epochs` : `${maxSteps} steps`} at lr ${learningRate}, from ${stage.from === "base" || previous === undefined ? "the base model" : previous}`);
  const result = await runEngineJob(
    "sft",
    {
      ...start,
      data: trainFile,
      output_dir: dir,
      method: config.sft.lora ? "lora" : "full",
      max_steps: maxSteps,
      ...(epochs === undefined ? {} : { epochs }),
      batch_size: stage.batch_size ?? config.sft.batch_size,
      grad_accum: config.sft.gradient_accumulation_steps,
      learning_rate: learningRate,
      warmup_ratio: config.sft.warmup_ratio,
      max_length: config.sft.max_length,
      save_steps: config.sft.save_steps,
      logging_steps: config.sft.logging_steps,
      seed: config.seed,
      dev_data: devFile,
      ...(stage.early_stopping === undefined ? {} : { eval_steps: stage.early_stopping.eval_steps, patience: stage.early_stopping.patience }),
    },
    { metricsFile: join(dir, "metrics.jsonl"), quiet: ctx.quiet, label: `sft ${stage.name}`, onEvent: ctx.onEngineEvent },
  );
  const losses = result.metrics.filter((m) => typeof m.loss === "number");
  const devLosses = result.metrics.filter((m) => typeof m.eval_loss === "number").map((m) => m.eval_loss as number);
  return {
    model: `sft/${stage.name}/final`,
    pairs: train.length,
    dev_pairs: rows.length - train.length,
    learning_rate: learningRate,
    max_steps: maxSteps,
    final_loss: losses.at(-1)?.loss ?? null,
    best_dev_loss: devLosses.length === 0 ? null : Math.min(...devLosses),
    ...figures,
  };
}

/** Runs the curriculum's stages in order (see the module comment); returns one row per stage. */
export async function runCurriculum(ctx: StageContext, stages: readonly CurriculumStage[]): Promise<Record<string, unknown>> {
  const rows: Record<string, unknown>[] = [];
  let previous: string | undefined;
  for (const stage of stages) {
    const dir = curriculumDir(ctx.runDir, stage.name);
    const status = readStageStatus(dir);
    if (status?.status === "complete") {
      ctx.log(`  sft/${stage.name}: complete (took ${formatDuration(status.duration_s ?? 0)}), skipped`);
      rows.push({ stage: stage.name, duration_s: status.duration_s, ...status.outputs });
    } else {
      mkdirSync(dir, { recursive: true });
      const startedAt = new Date();
      // wall time counts every attempt: an interrupted attempt's seconds carry over to the one that finishes
      const earlier = status?.duration_s ?? 0;
      const elapsed = (): number => earlier + (Date.now() - startedAt.getTime()) / 1000;
      ctx.log(`  sft/${stage.name}: ${status === undefined ? "starting" : `resuming after '${status.status}'`}`);
      writeStageStatus(dir, { stage: `sft/${stage.name}`, status: "running", started_at: startedAt.toISOString(), duration_s: earlier });
      try {
        const outputs = await trainStage(ctx, stage, previous);
        const duration = elapsed();
        writeStageStatus(dir, { stage: `sft/${stage.name}`, status: "complete", started_at: startedAt.toISOString(), finished_at: new Date().toISOString(), duration_s: duration, outputs });
        ctx.log(`  sft/${stage.name}: complete in ${formatDuration(duration)}`);
        rows.push({ stage: stage.name, duration_s: duration, ...outputs });
      } catch (error) {
        const interrupted = error instanceof TesttuneError && error.code === "E_ENGINE_INTERRUPTED";
        writeStageStatus(dir, { stage: `sft/${stage.name}`, status: interrupted ? "interrupted" : "failed", started_at: startedAt.toISOString(), finished_at: new Date().toISOString(), duration_s: elapsed(), error: (error as Error).message });
        throw error;
      }
    }
    previous = join(dir, "final");
  }
  linkFinal(ctx, stages.at(-1)?.name as string);
  return { model: "sft/final", curriculum: rows };
}

/** sft/final -> <last stage>/final (a relative link: the run directory can move). */
function linkFinal(ctx: StageContext, last: string): void {
  const link = join(stageDir(ctx, "sft"), "final");
  rmSync(link, { recursive: true, force: true });
  symlinkSync(join(last, "final"), link, "dir");
}
