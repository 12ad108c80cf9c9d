/**
 * One request's mutants spread over several executors: the pool runs the request without
 * mutants first (the verdict, and coverage), then, when it passed, one "mutants only" job per
 * idle executor, each taking every n-th mutant, and merges their reports here.
 */
import type { RunResult } from "./protocol.js";
import type { ExecResult, MutationReport } from "./types.js";

/** The score of docs/sandbox.md: timeouts count as detected, mutants we could not run do not count. */
export function mutationScore(killed: number, survived: number, timeout: number): number {
  const scored = killed + survived + timeout;
  return scored === 0 ? 0 : (killed + timeout) / scored;
}

/** The main run's result with the shards' mutants; a shard that did not pass (tampering on a
 * mutant, our failure, an executor killed twice) decides the status instead. */
export function mergeShards(main: ExecResult, shards: RunResult[]): ExecResult {
  const failed = ["rejected", "sandbox_error"].map((status) => shards.find((s) => s.status === status)).find((s) => s !== undefined) ?? shards.find((s) => s.status !== "passed");
  if (failed !== undefined) return { ...main, status: failed.status, detail: failed.detail };
  const mutants = shards.flatMap((s) => s.mutation?.mutants ?? []).sort((a, b) => a.id - b.id);
  const count = (status: string): number => mutants.filter((m) => m.status === status).length;
  const mutation: MutationReport = {
    total: mutants.length,
    killed: count("killed"),
    survived: count("survived"),
    timeout: count("timeout"),
    score: mutationScore(count("killed"), count("survived"), count("timeout")),
    mutants,
  };
  return { ...main, mutation };
}
