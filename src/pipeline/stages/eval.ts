/**
 * eval: for each configured model, sample n test files per eval task (engine `generate`), run
 * them in the sandbox against the reference code (scoring with mutants and coverage as
 * configured), and compute pass@k and quality metrics; then compare the models task by task.
 * Each model's samples and scores are appended as they are made, so an interrupted eval resumes.
 */
import { join } from "node:path";
import { runEngineJob } from "../../engine/job.js";
import { SandboxError } from "../../errors.js";
import { computeGreedyResults, computeModelResults, type GreedyResults, type ModelResults, type ScoredSample } from "../../eval/results.js";
import { summarize } from "../../eval/summary.js";
import { kindPrompt } from "../../kinds/prompt.js";
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

/** Samples `run.n` answers per task at `run.temperature` (engine `generate`) and scores them by kind; both files resume. */
async function sampleAndScore(
  ctx: StageContext,
  model: string,
  files: { dir: string; promptsFile: string; tasksFile: string; pool: SandboxPool; ref: ReturnType<typeof stageModelRef> },
  run: { samplesFile: string; scoresFile: string; n: number; temperature: number },
): Promise<void> {
  const { config } = ctx;
  const { dir, promptsFile, tasksFile, pool, ref } = files;
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
  ctx.log(`  ${model}: scoring ${model}'s answers in the sandbox`);
  const scored = await scoreFiles({
    tasksFile,
    samplesFile: run.samplesFile,
    outFile: run.scoresFile,
    executor: pool,
    reward: config.reward.preset,
    mutants: config.eval.mutants,
    coverage: config.eval.coverage,
    timeoutS: config.sandbox.timeout_s,
    quiet: ctx.quiet,
  });
  if (scored.sandboxErrors.length > 0) {
    throw new SandboxError(`${scored.sandboxErrors.length} sample(s) of '${model}' hit a sandbox error twice (first: ${scored.sandboxErrors[0]?.detail ?? ""})`, {
      hint: "re-run the same command: scored samples are kept and only these are retried; 'testtune doctor' checks the sandbox",
    });
  }
}

async function evaluateModel(ctx: StageContext, model: string, tasks: Task[], pool: SandboxPool): Promise<ModelResults> {
  const { config, runDir } = ctx;
  const dir = runPaths.evalDir(runDir, model);
  const promptsFile = join(dir, "prompts.jsonl");
  const samplesFile = join(dir, "samples.jsonl");
  const scoresFile = join(dir, "scores.jsonl");
  const tasksFile = join(dir, "tasks.jsonl");
  writeJsonl(tasksFile, tasks);
  const prompt = runPromptOptions(runDir, config);
  writeJsonl(promptsFile, tasks.map((t) => ({ task_id: t.id, prompt: kindPrompt(t, prompt) })));
  const ref = stageModelRef(runDir, config, model);
  ctx.log(`  ${model}: sampling ${config.eval.n} per task for ${tasks.length} tasks`);
  await sampleAndScore(ctx, model, { dir, promptsFile, tasksFile, pool, ref }, { samplesFile, scoresFile, n: config.eval.n, temperature: config.eval.temperature });
  let greedy: GreedyResults | undefined;
  if (config.eval.greedy) {
    ctx.log(`  ${model}: one greedy answer per task`);
    const greedyScores = join(dir, "greedy-scores.jsonl");
    await sampleAndScore(ctx, model, { dir, promptsFile, tasksFile, pool, ref }, { samplesFile: join(dir, "greedy-samples.jsonl"), scoresFile: greedyScores, n: 1, temperature: 0 });
    greedy = computeGreedyResults((await readJsonlAll(greedyScores)).map((r) => r.value as ScoredSample));
  }
  const scores = (await readJsonlAll(scoresFile)).map((r) => r.value as ScoredSample);
  const results = computeModelResults(model, scores, config.eval.ks, tasks.map((t) => t.id), config.eval.mutants ? config.eval.strong_at : undefined);
  if (greedy !== undefined) results.greedy = greedy;
  writeJson(join(dir, "results.json"), results);
  return results;
}

export async function evalStage(ctx: StageContext): Promise<Record<string, unknown>> {
  const { config, runDir } = ctx;
  const tasks = await evalTasks(ctx);
  const pool = await SandboxPool.start({ workers: config.sandbox.workers, isolation: config.sandbox.isolation, defaultTimeoutS: config.sandbox.timeout_s });
  const results: ModelResults[] = [];
  try {
    for (const model of config.eval.models) results.push(await evaluateModel(ctx, model, tasks, pool));
  } finally {
    await pool.close();
  }
  const summary = summarize(results, { ks: config.eval.ks, seed: config.seed, testtuneVersion: ctx.manifest.testtune.version, baseline: config.eval.baseline });
  writeJson(join(runDir, "eval", "results.json"), summary);
  return { tasks: tasks.length, "pass@1": summary["pass@1"] };
}
