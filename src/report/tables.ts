/** The tables every report shows, as rows of strings, shared by the Markdown and HTML writers. */
import type { Comparison, EvalSummary } from "../eval/summary.js";
import type { Manifest } from "../pipeline/manifest.js";

export interface Table {
  header: string[];
  rows: string[][];
}

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? "n/a" : `${(100 * x).toFixed(1)}%`);
const signed = (x: number): string => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}`;

export function resultsTable(summary: EvalSummary): Table {
  const kCols = summary.ks.map((k) => `pass@${k}`);
  return {
    header: ["model", ...kCols, "valid rate", "mutation score", "mutation score of valid tests", "line coverage", "tasks x n"],
    rows: summary.models.map((m) => [
      m.model,
      ...kCols.map((k) => pct(m.pass_at_k[k])),
      pct(m.valid_rate),
      pct(m.mean_mutation_score),
      pct(m.valid_mutation_score),
      pct(m.mean_line_coverage),
      `${m.tasks} x ${m.samples_per_task}`,
    ]),
  };
}

/** A p-value, with its Holm-adjusted value in parentheses when it has one. */
function pValue(test: { p_value: number | null; p_holm: number | null } | null): string {
  if (test === null || test.p_value === null) return "-";
  const one = (p: number): string => (p < 0.001 ? "<0.001" : p.toFixed(3));
  return test.p_holm === null ? one(test.p_value) : `${one(test.p_value)} (${one(test.p_holm)})`;
}

function metricLabel(c: Comparison): string {
  if (c.metric === "mutation") return "mutation score";
  if (c.metric === "valid_mutation") return `mutation score of valid files (${c.tasks} tasks valid on both)`;
  return c.metric;
}

/** One row per paired comparison: the means, the difference with its interval, and every test's p-value. */
export function comparisonTable(comparisons: readonly Comparison[]): Table {
  return {
    header: ["model vs baseline", "metric", "baseline", "model", "difference (points)", "95% CI", "p t-test", "p Wilcoxon", "p sign-flip", "p McNemar", "wins/losses/ties"],
    rows: comparisons.map((c) => [
      `${c.model} vs ${c.baseline}`,
      metricLabel(c),
      pct(c.baseline_mean),
      pct(c.model_mean),
      signed(c.mean_diff),
      `[${signed(c.bootstrap.ci_low)}, ${signed(c.bootstrap.ci_high)}]`,
      pValue(c.t_test),
      pValue(c.wilcoxon),
      pValue(c.sign_flip),
      pValue(c.mcnemar),
      `${c.wins}/${c.losses}/${c.ties}`,
    ]),
  };
}

/** What the comparison table's columns mean, for the reports and `testtune compare`. */
export function comparisonNote(comparisons: readonly Comparison[]): string {
  const first = comparisons[0];
  const holm = comparisons.some((c) => c.t_test.p_holm !== null || c.sign_flip.p_holm !== null);
  return [
    `Per-task differences (model - baseline) over ${first?.tasks ?? 0} tasks: ${Math.round(100 * (first?.bootstrap.confidence ?? 0.95))}% percentile bootstrap interval (${first?.bootstrap.resamples ?? 0} resamples),`,
    "two-sided p-values of the paired t-test, the Wilcoxon signed-rank test (zero differences dropped) and the sign-flip permutation test;",
    "McNemar's test only when every task has one sample on both sides (greedy pass@1).",
    holm ? "In parentheses: Holm-adjusted over the models compared on the same metric." : "",
    "The mutation score counts an invalid sample as 0; the mutation score of valid files is each task's mean over its valid files, paired over the tasks where both models wrote one, so a model valid on more tasks is not judged by the tasks only it gets right.",
  ]
    .filter((line) => line !== "")
    .join(" ");
}

const num = (x: number | null | undefined): string => (x === null || x === undefined ? "n/a" : x.toFixed(2));

/** strong@k, the spread of the valid files' mutation scores, and checks and inputs per valid file (models with strength metrics). */
export function strengthTable(summary: EvalSummary): Table | null {
  const models = summary.models.filter((m) => m.strength !== undefined);
  const first = models[0]?.strength;
  if (first === undefined) return null;
  const kCols = Object.keys(first.strong_at_k);
  return {
    header: ["model", ...kCols, "valid files", "mutation score of valid files: p25 / median / p75", "assertions run", "distinct checks", "distinct inputs"],
    rows: models.map((m) => {
      const s = m.strength as NonNullable<typeof m.strength>;
      const q = s.mutation_quantiles;
      return [
        m.model,
        ...kCols.map((k) => pct(s.strong_at_k[k])),
        String(s.valid_files_measured),
        q === null ? "n/a" : `${pct(q.p25)} / ${pct(q.median)} / ${pct(q.p75)}`,
        num(s.assertions_per_file),
        num(s.distinct_assertions_per_file),
        num(s.distinct_inputs_per_file),
      ];
    }),
  };
}

/** The strength table's note: what strong means in this run. */
export function strengthNote(summary: EvalSummary): string {
  const at = summary.models.find((m) => m.strength !== undefined)?.strength?.strong_at ?? 0;
  return `A sample is strong when its file is valid and kills at least ${pct(at)} of the task's mutants (likely-equivalent mutants left out); strong@k uses the pass@k estimator. Quantiles, assertions run, distinct checks and distinct inputs are over valid files (means per file).`;
}

export function outcomesTable(summary: EvalSummary): Table {
  const statuses = [...new Set(summary.models.flatMap((m) => Object.keys(m.status_counts)))].sort();
  return {
    header: ["model", ...statuses],
    rows: summary.models.map((m) => [m.model, ...statuses.map((s) => String((m.status_counts as Record<string, number>)[s] ?? 0))]),
  };
}

export function timingsTable(manifest: Manifest): Table {
  return {
    header: ["stage", "status", "wall time"],
    rows: Object.entries(manifest.stages).map(([stage, s]) => [stage, s.status, s.duration_s === undefined ? "" : `${s.duration_s.toFixed(1)} s`]),
  };
}

export function markdownTable(table: Table): string {
  const line = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  return [line(table.header), line(table.header.map(() => "---")), ...table.rows.map(line)].join("\n");
}
