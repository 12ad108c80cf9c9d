/**
 * pass@1 after each repair round (src/eval/repair.ts), round 0 (no repair) first, with each
 * round paired by task against round 0 and, across models, each model against the baseline at
 * the same round. pass@1 at round r is the mean over tasks of (samples valid after at most r
 * repairs) / (samples): the expected validity of one sample followed by up to r repairs.
 */
import { pairedDifference, type PairedResult } from "./paired.js";
import { mean } from "../util/stats.js";
import type { RepairOutcome, RoundRecord } from "./repair.js";

export interface RepairRound extends RoundRecord {
  "pass@1": number;
  /** This round's per-task pass@1 minus round 0's (paired by task); absent for round 0. */
  vs_round0?: PairedResult;
}

export interface RepairResults {
  rounds: number;
  /** pass@1 after 0, 1, ..., rounds repair rounds. */
  "pass@1_by_round": number[];
  per_round: RepairRound[];
  /** Per task: valid samples after each round, and the samples per task. */
  per_task: { task_id: string; n: number; valid_by_round: number[] }[];
  /** Repairs that ended valid (the traces `testtune refine` writes). */
  traces: number;
}

/** Per-task pass@1 at a round, in task order. */
export function passAtRound(perTask: RepairResults["per_task"], round: number): number[] {
  return perTask.map((t) => (t.n === 0 ? 0 : (t.valid_by_round[round] as number) / t.n));
}

export function repairResults(outcome: RepairOutcome, rounds: number, seed: number): RepairResults {
  const perTask = [...outcome.validByRound.entries()].map(([task_id, valid]) => ({ task_id, n: outcome.chainsPerTask.get(task_id) ?? 0, valid_by_round: valid }));
  const round0 = passAtRound(perTask, 0);
  const byRound = Array.from({ length: rounds + 1 }, (_, r) => mean(passAtRound(perTask, r)));
  const perRound: RepairRound[] = [{ round: 0, attempted: 0, fixed: 0, "pass@1": byRound[0] as number }];
  for (const record of outcome.rounds) {
    perRound.push({ ...record, "pass@1": byRound[record.round] as number, vs_round0: pairedDifference(round0, passAtRound(perTask, record.round), { seed }) });
  }
  return { rounds, "pass@1_by_round": byRound, per_round: perRound, per_task: perTask, traces: outcome.traces.length };
}

export interface RepairComparison extends PairedResult {
  baseline: string;
  model: string;
  round: number;
}

/** Each model against the baseline at every round, paired by task (the tasks both evaluated). */
export function compareByRound(byModel: ReadonlyMap<string, RepairResults>, baseline: string, seed: number): RepairComparison[] {
  const base = byModel.get(baseline);
  if (base === undefined) return [];
  const out: RepairComparison[] = [];
  for (const [model, results] of byModel) {
    if (model === baseline) continue;
    const shared = new Set(results.per_task.map((t) => t.task_id));
    const a = base.per_task.filter((t) => shared.has(t.task_id));
    const byId = new Map(results.per_task.map((t) => [t.task_id, t]));
    const b = a.map((t) => byId.get(t.task_id) as RepairResults["per_task"][number]);
    if (a.length === 0) continue;
    for (let round = 0; round <= Math.min(base.rounds, results.rounds); round++) {
      out.push({ baseline, model, round, ...pairedDifference(passAtRound(a, round), passAtRound(b, round), { seed }) });
    }
  }
  return out;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const signed = (x: number): string => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}`;

/** The terminal table: one row per round, with the paired difference against round 0. */
export function formatRepairTable(results: RepairResults): string {
  const rows = results.per_round.map((r) => {
    const vs = r.vs_round0 === undefined ? "-" : `${signed(r.vs_round0.mean_diff)} [${signed(r.vs_round0.ci_low)}, ${signed(r.vs_round0.ci_high)}]`;
    return [String(r.round), r.round === 0 ? "-" : String(r.attempted), r.round === 0 ? "-" : String(r.fixed), pct(r["pass@1"]), vs];
  });
  const header = ["round", "repaired", "fixed", "pass@1", "vs round 0, 95% CI (points)"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
