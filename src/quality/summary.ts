/** Aggregates of a set of score records, for the end of `testtune score` and for reports. */
import type { Outcome } from "../sandbox/types.js";
import { mean, meanOrNull } from "../util/stats.js";
import type { ScoreRecord } from "./score.js";

export interface ScoreSummaryStats {
  samples: number;
  valid: number;
  /** Mean reward over samples with a reward (sandbox errors have none). */
  meanReward: number;
  /** Means over valid samples where the measurement was made (undefined when none). */
  meanMutationScore: number | undefined;
  meanLineCoverage: number | undefined;
  meanBranchCoverage: number | undefined;
  mutantsTotal: number;
  mutantsKilled: number;
  statuses: Partial<Record<Outcome, number>>;
}

function meanOrUndefined(values: number[]): number | undefined {
  return meanOrNull(values) ?? undefined;
}

export function summarizeScores(records: Pick<ScoreRecord, "status" | "valid" | "reward" | "mutation" | "coverage">[]): ScoreSummaryStats {
  const statuses: Partial<Record<Outcome, number>> = {};
  for (const r of records) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const valid = records.filter((r) => r.valid);
  const mutated = valid.flatMap((r) => (r.mutation !== undefined && r.mutation.total > 0 ? [r.mutation] : []));
  const covered = valid.flatMap((r) => (r.coverage === undefined ? [] : [r.coverage]));
  return {
    samples: records.length,
    valid: valid.length,
    meanReward: mean(records.flatMap((r) => (r.reward === null ? [] : [r.reward]))),
    meanMutationScore: meanOrUndefined(mutated.map((m) => m.score)),
    meanLineCoverage: meanOrUndefined(covered.map((c) => c.line)),
    meanBranchCoverage: meanOrUndefined(covered.map((c) => c.branch)),
    mutantsTotal: mutated.reduce((a, m) => a + m.total, 0),
    mutantsKilled: mutated.reduce((a, m) => a + m.killed, 0),
    statuses,
  };
}

function pct(value: number | undefined): string {
  return value === undefined ? "-" : `${(value * 100).toFixed(1)}%`;
}

/** A few readable lines. */
export function formatSummary(stats: ScoreSummaryStats): string {
  const statuses = Object.entries(stats.statuses)
    .sort((a, b) => b[1] - a[1])
    .map(([status, n]) => `${status} ${n}`)
    .join(", ");
  return [
    `samples ${stats.samples}, valid ${stats.valid} (${pct(stats.samples === 0 ? undefined : stats.valid / stats.samples)}), mean reward ${stats.meanReward.toFixed(4)}`,
    `statuses: ${statuses === "" ? "-" : statuses}`,
    `valid files: mutation score ${pct(stats.meanMutationScore)} (${stats.mutantsKilled}/${stats.mutantsTotal} mutants killed), line coverage ${pct(stats.meanLineCoverage)}, branch coverage ${pct(stats.meanBranchCoverage)}`,
  ].join("\n");
}
