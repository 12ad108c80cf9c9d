/**
 * The mutants a passing test file did not kill, as a score line records them: each one's
 * operator, line and (when the mutant's source is known) the mutated line, so a reader can see
 * which change to the code the tests let through. Bounded, so a score line stays small.
 */
import type { MutantSource, MutationReport } from "../sandbox/types.js";

/** At most this many missed mutants per score line (the count of all of them is mutation.total - killed). */
export const MAX_MISSED_MUTANTS = 20;
/** A mutated line longer than this is cut (with an ellipsis). */
const MAX_LINE_CHARS = 160;

export interface MissedMutant {
  operator: string;
  /** 1-based line of the reference code the mutant changes. */
  line: number;
  /** That line as the mutant has it (trimmed); absent when the executor generated the mutant itself. */
  mutated?: string;
}

function cut(text: string): string {
  const trimmed = text.trim();
  return trimmed.length <= MAX_LINE_CHARS ? trimmed : `${trimmed.slice(0, MAX_LINE_CHARS - 1)}…`;
}

/** The survived mutants of a mutation run, in the report's order; `listed` are the sources the run was given. */
export function missedMutants(report: MutationReport, listed: readonly MutantSource[] | undefined): MissedMutant[] {
  const sources = new Map((listed ?? []).map((m) => [m.id, m.source]));
  return report.mutants
    .filter((m) => m.status === "survived")
    .slice(0, MAX_MISSED_MUTANTS)
    .map((m) => {
      const line = sources.get(m.id)?.split("\n")[m.line - 1];
      return line === undefined ? { operator: m.operator, line: m.line } : { operator: m.operator, line: m.line, mutated: cut(line) };
    });
}
