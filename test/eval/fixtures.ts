/** Small hand-made evaluation results for the comparison, schema and compare-command tests. */
import { join } from "node:path";
import { computeModelResults, type ModelResults, type ScoredSample } from "../../src/eval/results.js";
import { summarize, type EvalSummary } from "../../src/eval/summary.js";
import { writeJson } from "../../src/util/jsonl.js";

/** A model's results from its valid-sample counts per task: counts[task] = [valid, n]. */
export function modelResults(name: string, counts: Record<string, [number, number]>): ModelResults {
  const scores: ScoredSample[] = Object.entries(counts).flatMap(([task_id, [c, n]]) =>
    Array.from({ length: n }, (_, i) => ({ task_id, status: i < c ? "passed" : "failed", valid: i < c, reward: i < c ? 1 : 0, mutation: { score: i < c ? 0.5 : 0 } }) as ScoredSample),
  );
  return computeModelResults(name, scores, [1], Object.keys(counts));
}

export function summaryOf(models: ModelResults[], baseline?: string): EvalSummary {
  return summarize(models, { ks: [1], seed: 3, testtuneVersion: "0.0.0-test", baseline });
}

/** Writes a run directory (eval/results.json) or, with layout "eval", an eval directory (results.json). */
export function writeResults(dir: string, summary: EvalSummary | Record<string, unknown>, layout: "run" | "eval" = "run"): string {
  const file = layout === "run" ? join(dir, "eval", "results.json") : join(dir, "results.json");
  writeJson(file, summary);
  return file;
}

/** Pass counts out of 5 samples on tasks t0..t{k-1}, from a list of valid counts. */
export function fiveEach(valid: number[]): Record<string, [number, number]> {
  return Object.fromEntries(valid.map((c, i) => [`t${i}`, [c, 5]]));
}

/** One greedy sample per task: pass (1) or fail (0). */
export function greedy(passed: number[]): Record<string, [number, number]> {
  return Object.fromEntries(passed.map((c, i) => [`t${i}`, [c, 1]]));
}
