/**
 * eval: for each configured model, sample n test files per eval task (engine `generate`), run
 * them in the sandbox against the reference code (scoring with mutants and coverage as
 * configured), and compute pass@k and quality metrics; then compare the models task by task.
 * Each model's samples and scores are appended as they are made, so an interrupted eval resumes.
 */
import { join } from "node:path";
import { runEngineJob } from "../../engine/job.js";
import { SandboxError } from "../../errors.js";
import { computeModelResults, type ModelResults, type ScoredSample } from "../../eval/results.js";
import { summarize } from "../../eval/summary.js";
import { readFirstAttempts, repairLoop } from "../../eval/repair.js";
import { compareByRound, repairResults, type RepairResults } from "../../eval/repair-results.js";
import { buildPrompt } from "../../prompts/template.js";
import { scoreFiles } from "../../quality/score-files.js";
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

/** A model's results and, with eval.repair_rounds, its repair rounds (per task, for the paired comparisons). */
interface Evaluated {
  results: ModelResults;
  repair?: RepairResults;
}

async function evaluateModel(ctx: StageContext, model: string, tasks: Task[], pool: SandboxPool): Promise<Evaluated> {
  const { config, runDir } = ctx;
  const dir = runPaths.evalDir(runDir, model);
  const promptsFile = join(dir, "prompts.jsonl");
  const samplesFile = join(dir, "samples.jsonl");
  const scoresFile = join(dir, "scores.jsonl");
  const tasksFile = join(dir, "tasks.jsonl");
  writeJsonl(tasksFile, tasks);
  const prompt = runPromptOptions(runDir, config);
  writeJsonl(promptsFile, tasks.map((t) => ({ task_id: t.id, prompt: buildPrompt(t, prompt) })));
  const ref = stageModelRef(runDir, config, model);
  ctx.log(`  ${model}: sampling ${config.eval.n} per task for ${tasks.length} tasks`);
  await runEngineJob(
    "generate",
    {
      model: ref.model,
      ...(ref.adapter === undefined ? {} : { adapter: ref.adapter }),
      input: promptsFile,
      output: samplesFile,
      num_samples: config.eval.n,
      temperature: config.eval.temperature,
      top_p: config.eval.top_p,
      max_new_tokens: config.eval.max_new_tokens,
      batch_size: config.eval.batch_size,
      backend: config.eval.backend,
      seed: config.seed,
    },
    { quiet: ctx.quiet, label: `generate ${model}`, metricsFile: join(dir, "metrics.jsonl") },
  );
  ctx.log(`  ${model}: running ${tasks.length * config.eval.n} test files in the sandbox`);
  const scored = await scoreFiles({
    tasksFile,
    samplesFile,
    outFile: scoresFile,
    executor: pool,
    reward: config.reward.preset,
    mutants: config.eval.mutants,
    coverage: config.eval.coverage,
    timeoutS: config.sandbox.timeout_s,
    failureLog: config.eval.repair_rounds > 0,
    quiet: ctx.quiet,
  });
  if (scored.sandboxErrors.length > 0) {
    throw new SandboxError(`${scored.sandboxErrors.length} sample(s) of '${model}' hit a sandbox error twice (first: ${scored.sandboxErrors[0]?.detail ?? ""})`, {
      hint: "re-run the same command: scored samples are kept and only these are retried; 'testtune doctor' checks the sandbox",
    });
  }
  const scores = (await readJsonlAll(scoresFile)).map((r) => r.value as ScoredSample);
  const plain = computeModelResults(model, scores, config.eval.ks, tasks.map((t) => t.id), config.eval.mutants ? config.eval.strong_at : undefined);
  if (config.eval.repair_rounds === 0) {
    writeJson(join(dir, "results.json"), plain);
    return { results: plain };
  }
  const repair = await repairModel(ctx, model, tasks, pool, { samples: samplesFile, scores: scoresFile });
  // results.json gains pass@1_by_round (round 0 first) and the rounds' figures; per task they are in repair/results.json
  const { per_task: _perTask, ...rounds } = repair;
  const results = { ...plain, "pass@1_by_round": repair["pass@1_by_round"], repair: rounds };
  writeJson(join(dir, "results.json"), results);
  return { results, repair };
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
