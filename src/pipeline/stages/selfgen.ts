/**
 * selfgen: training data the model writes itself, kept by rejection sampling (no labels).
 * Functions of a Python corpus (by default the interpreter's own standard library, present on
 * every machine) become tasks; the base model samples n test files per task; each runs in the
 * sandbox against the function and its mutants; a file is kept only when it is valid (every
 * test passes on the real code) and kills at least one mutant, the best one per task. The kept
 * files become SFT pairs in selfgen/sft.jsonl, which the sft stage trains on beside data/sft.jsonl.
 * Generation and scoring append as they go, so an interrupted stage resumes where it stopped.
 */
import { join } from "node:path";
import { runEngineJob } from "../../engine/job.js";
import { extractTestFile } from "../../prompts/extract.js";
import { scoreFiles } from "../../quality/score-files.js";
import type { SampleScore } from "../../quality/score.js";
import { sftRow } from "../../tasks/sft.js";
import { writePromptsFile } from "../../train/prompts-file.js";
import { withSandbox } from "../../train/stage-support.js";
import { readJsonlAll, writeJson, writeJsonl } from "../../util/jsonl.js";
import { stageDir, type StageContext } from "../context.js";
import { corpusTasks } from "../corpus-tasks.js";
import { stageModelRef } from "../models.js";
import { runPromptOptions } from "../prompting.js";

export const selfgenFiles = (dir: string) => ({
  tasks: join(dir, "tasks.jsonl"),
  prompts: join(dir, "prompts.jsonl"),
  samples: join(dir, "samples.jsonl"),
  scores: join(dir, "scores.jsonl"),
  sft: join(dir, "sft.jsonl"),
  stats: join(dir, "stats.json"),
});

interface Sample {
  task_id: string;
  sample_index: number;
  completion: string;
}

/** The kept file of each task: valid, kills a mutant, the highest mutation score (then reward) of its samples. */
export function bestKeptSamples(samples: readonly Sample[], scores: readonly SampleScore[]): Map<string, Sample> {
  const byKey = new Map(samples.map((s) => [`${s.task_id}#${s.sample_index}`, s]));
  const best = new Map<string, { sample: Sample; rank: [number, number] }>();
  for (const score of scores) {
    const mutation = score.mutation?.score ?? 0;
    const sample = byKey.get(`${score.task_id}#${String(score.sample_index)}`);
    if (!score.valid || mutation <= 0 || sample === undefined) continue;
    const rank: [number, number] = [mutation, score.reward ?? 0];
    const current = best.get(score.task_id);
    if (current === undefined || rank[0] > current.rank[0] || (rank[0] === current.rank[0] && rank[1] > current.rank[1])) best.set(score.task_id, { sample, rank });
  }
  return new Map([...best].map(([id, { sample }]) => [id, sample]));
}

export async function selfgenStage(ctx: StageContext): Promise<Record<string, unknown>> {
  const { config, runDir } = ctx;
  const section = config.selfgen;
  const files = selfgenFiles(stageDir(ctx, "selfgen"));
  const tasks = await corpusTasks(ctx, section.max_tasks);
  const prompt = runPromptOptions(runDir, config);
  writeJsonl(files.tasks, tasks);
  writePromptsFile(files.prompts, tasks, prompt);
  const base = stageModelRef(runDir, config, "base");
  ctx.log(`  sampling ${section.n} test files for each of ${tasks.length} corpus functions with the base model`);
  await runEngineJob(
    "generate",
    {
      model: base.model,
      input: files.prompts,
      output: files.samples,
      num_samples: section.n,
      temperature: section.temperature,
      top_p: section.top_p,
      max_new_tokens: section.max_new_tokens,
      batch_size: section.batch_size,
      seed: config.seed,
    },
    { quiet: ctx.quiet, label: "selfgen: sample", metricsFile: join(stageDir(ctx, "selfgen"), "metrics.jsonl") },
  );
  ctx.log(`  running them on the functions and their mutants`);
  await withSandbox(config, (pool) =>
    scoreFiles({ tasksFile: files.tasks, samplesFile: files.samples, outFile: files.scores, executor: pool, reward: config.reward.preset, mutants: true, coverage: false, timeoutS: config.sandbox.timeout_s, quiet: ctx.quiet }),
  );
  const samples = (await readJsonlAll(files.samples)).map((r) => r.value as Sample);
  const scores = (await readJsonlAll(files.scores)).map((r) => r.value as SampleScore);
  const kept = bestKeptSamples(samples, scores);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const rows = [...kept].flatMap(([id, sample]) => {
    const task = byId.get(id);
    return task === undefined ? [] : [sftRow({ ...task, tests: extractTestFile(sample.completion, task).tests }, prompt.chat, prompt.system)];
  });
  writeJsonl(files.sft, rows);
  const stats = {
    tasks: tasks.length,
    samples: scores.length,
    valid_samples: scores.filter((s) => s.valid).length,
    valid_killing_samples: scores.filter((s) => s.valid && (s.mutation?.score ?? 0) > 0).length,
    kept_tasks: rows.length,
    keep_rate: tasks.length === 0 ? 0 : rows.length / tasks.length,
  };
  writeJson(files.stats, stats);
  ctx.log(`  kept ${rows.length} of ${tasks.length} functions (${stats.valid_samples} valid samples, ${stats.valid_killing_samples} of them kill a mutant)`);
  return stats;
}
