/**
 * eval: for each configured model, sample n test files per eval task (engine `generate`), run
 * them in the sandbox against the reference code (scoring with mutants and coverage as
 * configured), and compute pass@k and quality metrics; then compare the models task by task.
 * Each model's samples and scores are appended as they are made, so an interrupted eval resumes.
 */
import { join } from "node:path";
import { runEngineJob } from "../../engine/job.js";
import { computeGreedyResults, type ModelResults } from "../../eval/results.js";
import { scoreModel, type ScoreModelOptions } from "../../eval/score-model.js";
import { summarize } from "../../eval/summary.js";
import { readFirstAttempts, repairLoop } from "../../eval/repair.js";
import { compareByRound, repairResults, type RepairResults } from "../../eval/repair-results.js";
import { kindPrompt } from "../../kinds/prompt.js";
import { SandboxPool } from "../../sandbox/pool.js";
import { taskSchema, type Task } from "../../tasks/schema.js";
import { readJsonlAll, writeJson, writeJsonl } from "../../util/jsonl.js";
import { runPaths, type StageContext } from "../context.js";
import { stageModelRef } from "../models.js";
import { runPromptOptions } from "../prompting.js";

async function evalTasks(ctx: StageContext): Promise<Task[]> {
  const rows = await readJsonlAll(runPaths.evalTasks(ctx.runDir));
  const tasks = rows.map((r) => taskSchema.parse(r.value));
  return ctx.config.eval.max_tasks === undefined ? tasks : tasks.slice(0, ctx.config.eval.max_tasks);
}

/** Samples `run.n` answers per task at `run.temperature` with the engine's generate job (resumes). */
async function generate(
  ctx: StageContext,
  model: string,
  files: { dir: string; promptsFile: string; ref: ReturnType<typeof stageModelRef> },
  run: { samplesFile: string; n: number; temperature: number },
): Promise<void> {
  const { config } = ctx;
  const { dir, promptsFile, ref } = files;
  await runEngineJob(
    "generate",
    {
      model: ref.model,
      ...(ref.adapter === undefined ? {} : { adapter: ref.adapter }),
      input: promptsFile,
      output: run.samplesFile,
      num_samples: run.n,
      temperature: run.temperature,
      top_p: config.eval.top_p,
      max_new_tokens: config.eval.max_new_tokens,
      batch_size: config.eval.batch_size,
      backend: config.eval.backend,
      seed: config.seed,
    },
    { quiet: ctx.quiet, label: `generate ${model}`, metricsFile: join(dir, "metrics.jsonl") },
  );
}

async function scoreOrFail(options: ScoreModelOptions): Promise<Extract<Awaited<ReturnType<typeof scoreModel>>, { interrupted: false }>> {
  const scored = await scoreModel(options);
  // Without an abort signal scoring runs to the end.
  if (scored.interrupted) throw new Error("eval scoring stopped without being interrupted");
  return scored;
}

/** A model's results and, with eval.repair_rounds, its repair rounds (per task, for the paired comparisons). */
interface Evaluated {
  results: ModelResults;
  repair?: RepairResults;
}

async function evaluateModel(ctx: StageContext, model: string, tasks: Task[], pool: SandboxPool): Promise<Evaluated> {
  const { config, runDir } = ctx;
  const dir = runPaths.evalDir(runDir, model);
  const promptsFile = join(dir, "prompts.jsonl");
  const prompt = runPromptOptions(runDir, config);
  writeJsonl(promptsFile, tasks.map((t) => ({ task_id: t.id, prompt: kindPrompt(t, prompt) })));
  const ref = stageModelRef(runDir, config, model);
  ctx.log(`  ${model}: sampling ${config.eval.n} per task for ${tasks.length} tasks`);
  await generate(ctx, model, { dir, promptsFile, ref }, { samplesFile: join(dir, "samples.jsonl"), n: config.eval.n, temperature: config.eval.temperature });
  ctx.log(`  ${model}: scoring ${tasks.length * config.eval.n} answers in the sandbox`);
  const scoring: ScoreModelOptions = {
    model,
    dir,
    tasks,
    executor: pool,
    reward: config.reward.preset,
    mutants: config.eval.mutants,
    coverage: config.eval.coverage,
    timeoutS: config.sandbox.timeout_s,
    ks: config.eval.ks,
    strongAt: config.eval.strong_at,
    failureLog: config.eval.repair_rounds > 0,
    quiet: ctx.quiet,
  };
  const { results } = await scoreOrFail(scoring);
  if (config.eval.greedy) {
    ctx.log(`  ${model}: one greedy answer per task`);
    await generate(ctx, model, { dir, promptsFile, ref }, { samplesFile: join(dir, "greedy-samples.jsonl"), n: 1, temperature: 0 });
    const greedy = await scoreOrFail({ ...scoring, ks: [1], files: { samples: "greedy-samples.jsonl", scores: "greedy-scores.jsonl", results: null } });
    results.greedy = computeGreedyResults(greedy.scores);
    writeJson(join(dir, "results.json"), results);
  }
  if (config.eval.repair_rounds === 0) return { results };
  const repair = await repairModel(ctx, model, tasks, pool, { samples: join(dir, "samples.jsonl"), scores: join(dir, "scores.jsonl") });
  // results.json gains pass@1_by_round (round 0 first) and the rounds' figures; per task they are in repair/results.json
  const { per_task: _perTask, ...rounds } = repair;
  const withRepair = { ...results, "pass@1_by_round": repair["pass@1_by_round"], repair: rounds };
  writeJson(join(dir, "results.json"), withRepair);
  return { results: withRepair, repair };
}

/** The repair rounds on a model's eval samples: pass@1 after each round (src/eval/repair.ts), beside plain pass@1. */
async function repairModel(ctx: StageContext, model: string, tasks: Task[], pool: SandboxPool, files: { samples: string; scores: string }): Promise<RepairResults> {
  const { config, runDir } = ctx;
  const outDir = join(runPaths.evalDir(runDir, model), "repair");
  const ref = stageModelRef(runDir, config, model);
  const outcome = await repairLoop({
    model: ref,
    tasks,
    first: await readFirstAttempts(files.samples, files.scores),
    outDir,
    executor: pool,
    settings: {
      rounds: config.eval.repair_rounds,
      sampling: { temperature: config.eval.temperature, top_p: config.eval.top_p, max_new_tokens: config.eval.max_new_tokens, batch_size: config.eval.batch_size, backend: config.eval.backend },
      seed: config.seed,
      prompt: runPromptOptions(runDir, config),
      reward: config.reward.preset,
      timeoutS: config.sandbox.timeout_s,
      quiet: ctx.quiet,
      log: (m) => ctx.log(`  ${model}: ${m.trim()}`),
    },
  });
  const repair = repairResults(outcome, config.eval.repair_rounds, config.seed);
  writeJson(join(outDir, "results.json"), repair);
  writeJsonl(join(outDir, "traces.jsonl"), outcome.traces);
  return repair;
}

export async function evalStage(ctx: StageContext): Promise<Record<string, unknown>> {
  const { config, runDir } = ctx;
  const tasks = await evalTasks(ctx);
  const pool = await SandboxPool.start({ workers: config.sandbox.workers, isolation: config.sandbox.isolation, defaultTimeoutS: config.sandbox.timeout_s });
  const evaluated: Evaluated[] = [];
  try {
    for (const model of config.eval.models) evaluated.push(await evaluateModel(ctx, model, tasks, pool));
  } finally {
    await pool.close();
  }
  const results = evaluated.map((e) => e.results);
  const summary = summarize(results, { ks: config.eval.ks, seed: config.seed, testtuneVersion: ctx.manifest.testtune.version, baseline: config.eval.baseline });
  const repairs = new Map(evaluated.flatMap((e) => (e.repair === undefined ? [] : [[e.results.model, e.repair] as const])));
  const withRepair = repairs.size === 0 || summary.baseline === null ? summary : { ...summary, repair_comparisons: compareByRound(repairs, summary.baseline, config.seed) };
  writeJson(join(runDir, "eval", "results.json"), withRepair);
  return { tasks: tasks.length, "pass@1": summary["pass@1"], ...(repairs.size === 0 ? {} : { "pass@1_by_round": Object.fromEntries([...repairs].map(([m, r]) => [m, r["pass@1_by_round"]])) }) };
}
