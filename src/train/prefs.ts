/**
 * Preference pairs from a model's own samples, ranked by running them: `testtune prefs` and
 * the pipeline's prefs stage.
 *
 * 1. the engine's generate job samples n completions per task prompt;
 * 2. scoring runs each one in the sandbox against the task's reference code and applies the
 *    reward preset (src/quality/score-files.ts);
 * 3. pairs are chosen per prompt (src/train/pairs.ts) and written in TRL's prompt/chosen/
 *    rejected format to pairs.jsonl, with their statistics in stats.json.
 * Every step appends as it goes, so an interrupted run resumes where it stopped.
 */
import { join } from "node:path";
import type { RewardPreset } from "../quality/rewards.js";
import type { KindScoreRecord } from "../kinds/score.js";
import type { Task } from "../tasks/schema.js";
import { writeJson, writeJsonl } from "../util/jsonl.js";
import { buildPairs, type Candidate, type PairStats } from "./pairs.js";
import { sampleAndScore, scoredSamples, type SampleAndScoreOptions } from "./sample-and-score.js";

export interface PrefsOptions extends Omit<SampleAndScoreOptions, "label"> {
  outDir: string;
  margin: number;
  pairsPerPrompt: number;
  /** Extra pairs of a stronger valid sample against a weaker valid one, and the reward gap they need (pairs.ts). */
  validPairsPerPrompt?: number;
  validMargin?: number;
  /** The rejected side of the best-vs-worst pairs writes no more checks than the chosen (pairs.ts). */
  matchChecks?: boolean;
}

export interface PrefsStats extends PairStats {
  reward: RewardPreset;
  n: number;
  samples: number;
  valid_samples: number;
}

export const prefsFiles = (outDir: string) => ({
  tasks: join(outDir, "tasks.jsonl"),
  prompts: join(outDir, "prompts.jsonl"),
  samples: join(outDir, "samples.jsonl"),
  scores: join(outDir, "scores.jsonl"),
  pairs: join(outDir, "pairs.jsonl"),
  stats: join(outDir, "stats.json"),
});

export async function buildPreferencePairs(options: PrefsOptions): Promise<PrefsStats> {
  const files = prefsFiles(options.outDir);
  const prompts = await sampleAndScore(files, { ...options, label: "prefs: sample" });
  const candidates = await candidatesByTask(files, options.tasks, options.n);
  const { pairs, stats } = buildPairs(prompts, candidates, {
    margin: options.margin,
    pairsPerPrompt: options.pairsPerPrompt,
    validPairsPerPrompt: options.validPairsPerPrompt,
    validMargin: options.validMargin,
    matchChecks: options.matchChecks,
  });
  const all = [...candidates.values()].flat();
  const full: PrefsStats = { ...stats, reward: options.reward, n: options.n, samples: all.length, valid_samples: all.filter((c) => c.valid).length };
  writeJsonl(files.pairs, pairs);
  writeJson(files.stats, full);
  return full;
}

/**
 * Whether a sample may be the chosen side of a pair. A test file must be valid (pairs.ts); an
 * answer of another kind needs a reward above 0, so that for the code kinds the pairs follow
 * the reference tests' pass rate (higher pass rate chosen), as code-generation DPO does.
 */
export function mayBeChosen(score: KindScoreRecord): boolean {
  return score.kind === undefined || score.kind === "unit_test" ? score.valid : (score.reward ?? 0) > 0;
}

/**
 * Each task's first n samples with their scores, joined on (task_id, sample_index). A samples
 * file from an earlier run with a larger n holds more; they are not compared.
 */
async function candidatesByTask(files: ReturnType<typeof prefsFiles>, tasks: readonly Task[], n: number): Promise<Map<string, Candidate[]>> {
  const out = new Map<string, Candidate[]>();
  for (const { line, sample, score } of await scoredSamples(files, new Map(tasks.map((t) => [t.id, t])))) {
    if ((sample.sample_index ?? 0) >= n) continue;
    const list = out.get(sample.task_id) ?? [];
    list.push({ sample_index: sample.sample_index ?? line, completion: sample.completion, reward: score.reward, valid: mayBeChosen(score), checks: score.static_assertions ?? 0 });
    out.set(sample.task_id, list);
  }
  return out;
}
