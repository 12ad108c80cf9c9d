/**
 * One model's samples -> scores.jsonl -> results: the step the pipeline's eval stage and
 * `testtune eval` share. The samples run in the sandbox against the reference code (mutants and
 * coverage as asked), scores are appended as they are made (a re-run scores only what is
 * missing), and the model's results are computed and written beside them.
 */
import { join } from "node:path";
import { SandboxError } from "../errors.js";
import type { RewardPreset } from "../quality/rewards.js";
import { scoreFiles } from "../quality/score-files.js";
import type { Executor } from "../quality/score.js";
import type { Task } from "../tasks/schema.js";
import { readJsonlAll, writeJson, writeJsonl } from "../util/jsonl.js";
import { computeModelResults, type ModelResults, type ScoredSample } from "./results.js";

export interface ScoreModelOptions {
  model: string;
  /** The model's directory: holds samples.jsonl; gets tasks.jsonl, scores.jsonl, results.json. */
  dir: string;
  tasks: readonly Task[];
  executor: Executor;
  reward: RewardPreset;
  mutants: boolean;
  coverage: boolean;
  timeoutS: number;
  ks: readonly number[];
  /** strong@k threshold, when mutants are scored. */
  strongAt?: number;
  /** Record a trimmed pytest failure log on each score that is not valid (the repair loop shows it to the model). */
  failureLog?: boolean;
  quiet?: boolean;
  signal?: AbortSignal;
  /** File names in `dir`: the samples to score, the scores, the results (null: not written). Default samples.jsonl, scores.jsonl, results.json. */
  files?: { samples: string; scores: string; results: string | null };
}

/** Scoring stopped early (Ctrl-C: what was scored is kept), or the model's results and its scores. */
export type ScoredModel = { interrupted: true } | { interrupted: false; results: ModelResults; scores: ScoredSample[] };

export async function scoreModel(options: ScoreModelOptions): Promise<ScoredModel> {
  const { dir, model } = options;
  const files = options.files ?? { samples: "samples.jsonl", scores: "scores.jsonl", results: "results.json" };
  const tasksFile = join(dir, "tasks.jsonl");
  const scoresFile = join(dir, files.scores);
  writeJsonl(tasksFile, options.tasks);
  const scored = await scoreFiles({
    tasksFile,
    samplesFile: join(dir, files.samples),
    outFile: scoresFile,
    executor: options.executor,
    reward: options.reward,
    mutants: options.mutants,
    coverage: options.coverage,
    timeoutS: options.timeoutS,
    ...(options.failureLog === true ? { failureLog: true } : {}),
    quiet: options.quiet,
    signal: options.signal,
  });
  if (scored.sandboxErrors.length > 0) {
    throw new SandboxError(`${scored.sandboxErrors.length} sample(s) of '${model}' hit a sandbox error twice (first: ${scored.sandboxErrors[0]?.detail ?? ""})`, {
      hint: "re-run the same command: scored samples are kept and only these are retried; 'testtune doctor' checks the sandbox",
    });
  }
  if (scored.interrupted) return { interrupted: true };
  const scores = (await readJsonlAll(scoresFile)).map((r) => r.value as ScoredSample);
  const results = computeModelResults(model, scores, options.ks, options.tasks.map((t) => t.id), options.mutants ? options.strongAt : undefined);
  if (files.results !== null) writeJson(join(dir, files.results), results);
  return { results, scores, interrupted: false };
}
