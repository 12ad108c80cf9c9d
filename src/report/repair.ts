/**
 * The report's repair table (eval.repair_rounds > 0): per model, pass@1 after each repair round,
 * each round paired by task against round 0; then each model against the baseline per round.
 */
import type { RepairComparison, RepairRound } from "../eval/repair-results.js";
import type { EvalSummary } from "../eval/summary.js";
import type { Table } from "./tables.js";

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const signed = (x: number): string => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}`;
const interval = (p: { mean_diff: number; ci_low: number; ci_high: number }): string => `${signed(p.mean_diff)} [${signed(p.ci_low)}, ${signed(p.ci_high)}]`;

interface WithRepair {
  model: string;
  "pass@1_by_round"?: number[];
  repair?: { per_round: RepairRound[] };
}

/** Per model: pass@1 at each round and its paired difference with round 0; null without repair rounds. */
export function repairTable(summary: EvalSummary): Table | null {
  const models = (summary.models as WithRepair[]).filter((m) => m["pass@1_by_round"] !== undefined && m.repair !== undefined);
  if (models.length === 0) return null;
  const rounds = Math.max(...models.map((m) => (m["pass@1_by_round"] as number[]).length)) - 1;
  const later = Array.from({ length: rounds }, (_, i) => i + 1);
  return {
    header: ["model", ...Array.from({ length: rounds + 1 }, (_, r) => `pass@1 round ${r}`), ...later.map((r) => `round ${r} - round 0, 95% CI (points)`), ...later.map((r) => `fixed in round ${r}`)],
    rows: models.map((m) => {
      const perRound = (m.repair as NonNullable<WithRepair["repair"]>).per_round;
      const at = (r: number): RepairRound | undefined => perRound.find((p) => p.round === r);
      return [
        m.model,
        ...(m["pass@1_by_round"] as number[]).map(pct),
        ...later.map((r) => {
          const vs = at(r)?.vs_round0;
          return vs === undefined ? "-" : interval(vs);
        }),
        ...later.map((r) => `${at(r)?.fixed ?? 0} of ${at(r)?.attempted ?? 0}`),
      ];
    }),
  };
}

/** Each model against the baseline at each round (paired by task); null when there is none. */
export function repairComparisonTable(summary: EvalSummary): Table | null {
  const comparisons = (summary as EvalSummary & { repair_comparisons?: RepairComparison[] }).repair_comparisons;
  if (comparisons === undefined || comparisons.length === 0) return null;
  return {
    header: ["model", "baseline", "round", "pass@1 difference, 95% CI (points)", "p (sign-flip)", "wins / losses / ties"],
    rows: comparisons.map((c) => [c.model, c.baseline, String(c.round), interval(c), c.p_value.toFixed(3), `${c.wins} / ${c.losses} / ${c.ties}`]),
  };
}

export const REPAIR_NOTE =
  "pass@1 after r repair rounds: each invalid test file is shown back to the model with its trimmed pytest failure log and regenerated, up to r times; a sample counts once its file is valid. Differences are paired by task, 95% percentile bootstrap intervals.";
