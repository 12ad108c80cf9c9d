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

async function evaluateModel(ctx: StageContext, model: string, tasks: Task[], pool: SandboxPool): Promise<ModelResults> {
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
