/** The report's charts that are computed from results.json: pass@k over k, and outcomes per model. */
import type { EvalSummary } from "../eval/summary.js";
import { meanPassAtK } from "../eval/pass-at-k.js";
import { OUTCOMES, type Outcome } from "../sandbox/types.js";
import { lineChart, stackedBarChart } from "./svg.js";

/** Each model's pass@k for every k from 1 to its smallest number of samples per task (from per_task). */
export function passAtKCurves(summary: EvalSummary): { name: string; points: [number, number][] }[] {
  return summary.models.flatMap((m) => {
    const perTask = summary.per_task[m.model] ?? [];
    if (perTask.length === 0) return [];
    const nMin = Math.min(...perTask.map((t) => t.n));
    return [{ name: m.model, points: Array.from({ length: nMin }, (_, i): [number, number] => [i + 1, meanPassAtK(perTask, i + 1)]) }];
  });
}

export function passAtKChart(summary: EvalSummary): string {
  const curves = passAtKCurves(summary);
  if (curves.every((c) => c.points.length < 2)) return "";
  return lineChart("pass@k by k (unbiased estimator, from each task's n and c)", curves, "k");
}

/** A colour per outcome: green for passed, reds and oranges for the test file's failures, greys for no verdict. */
const OUTCOME_COLORS: Record<Outcome, string> = {
  passed: "#59a14f",
  failed: "#e15759",
  error: "#f28e2b",
  collection_error: "#b07aa1",
  syntax_error: "#9c755f",
  no_tests: "#bab0ac",
  timeout: "#edc948",
  memory: "#76b7b2",
  crashed: "#333333",
  rejected: "#ff9da7",
  sandbox_error: "#dddddd",
};

export function outcomesChart(summary: EvalSummary): string {
  const present = OUTCOMES.filter((o) => summary.models.some((m) => (m.status_counts[o] ?? 0) > 0));
  if (present.length === 0) return "";
  return stackedBarChart(
    "Outcomes of all samples by model (share of samples)",
    [...present],
    summary.models.map((m) => ({ name: m.model, counts: present.map((o) => m.status_counts[o] ?? 0) })),
    present.map((o) => OUTCOME_COLORS[o]),
  );
}
