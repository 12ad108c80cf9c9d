/**
 * Per-kind evaluation rows (docs/results.md): when the score lines carry their task's kind
 * (src/kinds/score.ts), each kind gets its own pass@1 and pass@k over its tasks, the mean score
 * (for the code kinds the reference tests' pass rate), the compile rate (share of answers that
 * are valid Python, for kinds whose answer is code) and the counts of its outcome taxonomy
 * (code kinds: passed, wrong_output, runtime_error, syntax_error, timeout, gamed, ...).
 */
import { mean } from "../util/stats.js";
import { passAtK } from "./pass-at-k.js";

/** The kind fields of a score line (absent on lines written before kinds existed). */
export interface KindSampleFields {
  task_id: string;
  valid: boolean;
  kind?: string;
  outcome?: string;
  score?: number;
  compiled?: boolean;
  hallucination?: string[];
  style?: number;
}

export interface KindResults {
  tasks: number;
  samples: number;
  "pass@1": number;
  pass_at_k: Record<string, number>;
  /** Mean of the kind's score in [0, 1] over samples. */
  mean_score: number;
  /** Share of samples whose answer is valid Python; null for kinds that do not report it. */
  compile_rate: number | null;
  outcome_counts: Record<string, number>;
  /** Share of samples with a placeholder (TODO, `...`), for kinds that check; null otherwise. */
  hallucination_rate: number | null;
  /** Mean style score, for kinds that measure one; null otherwise. */
  mean_style: number | null;
}

/** Rows by kind, or undefined when no score line names a kind. */
export function computeKindResults(scores: readonly KindSampleFields[], ks: readonly number[]): Record<string, KindResults> | undefined {
  if (!scores.some((s) => s.kind !== undefined)) return undefined;
  const byKind = new Map<string, KindSampleFields[]>();
  for (const s of scores) {
    const kind = s.kind ?? "unit_test";
    byKind.set(kind, [...(byKind.get(kind) ?? []), s]);
  }
  const out: Record<string, KindResults> = {};
  for (const [kind, list] of [...byKind].sort(([a], [b]) => a.localeCompare(b))) {
    const tasks = new Map<string, { n: number; c: number }>();
    for (const s of list) {
      const t = tasks.get(s.task_id) ?? { n: 0, c: 0 };
      t.n += 1;
      if (s.valid) t.c += 1;
      tasks.set(s.task_id, t);
    }
    const perTask = [...tasks.values()];
    const passK: Record<string, number> = {};
    for (const k of ks) passK[`pass@${k}`] = mean(perTask.map((t) => passAtK(t.n, t.c, k)));
    const outcomes: Record<string, number> = {};
    for (const s of list) outcomes[s.outcome ?? "unknown"] = (outcomes[s.outcome ?? "unknown"] ?? 0) + 1;
    const compiled = list.filter((s) => s.compiled !== undefined);
    const checkedHallucination = list.filter((s) => s.hallucination !== undefined);
    const styled = list.filter((s) => s.style !== undefined);
    out[kind] = {
      tasks: perTask.length,
      samples: list.length,
      "pass@1": mean(perTask.map((t) => passAtK(t.n, t.c, 1))),
      pass_at_k: passK,
      mean_score: mean(list.map((s) => s.score ?? (s.valid ? 1 : 0))),
      compile_rate: compiled.length === 0 ? null : mean(compiled.map((s) => (s.compiled === true ? 1 : 0))),
      outcome_counts: outcomes,
      hallucination_rate: checkedHallucination.length === 0 ? null : mean(checkedHallucination.map((s) => ((s.hallucination?.length ?? 0) > 0 ? 1 : 0))),
      mean_style: styled.length === 0 ? null : mean(styled.map((s) => s.style as number)),
    };
  }
  return out;
}
