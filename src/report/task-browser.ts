/**
 * The per-task browser's data: for each eval task, its code and, for each model, its best and
 * worst sample (by validity, reward, mutation score, then outcome) with the outcome, the failing
 * assertion or error, and the mutants it missed. Long text is cut so that report.html stays
 * bounded; the page says where and by how much.
 */
import type { MissedMutant } from "../quality/missed-mutants.js";
import { OUTCOMES, type Outcome } from "../sandbox/types.js";
import type { Evidence, ScoredCompletion } from "./evidence.js";

/** Characters kept of each text field, and tasks kept in the browser. */
export const BROWSER_LIMITS = { code: 4000, completion: 2500, detail: 600, tasks: 1000 } as const;

export interface BrowserSample {
  sample_index: number | null;
  status: Outcome;
  valid: boolean;
  reward: number | null;
  mutation: number | null;
  /** Mutants run on this file and how many it killed, when mutants ran. */
  mutants: { total: number; killed: number } | null;
  /** The failing assertion or error (the sandbox's detail), or why a passing file is not valid. */
  detail: string;
  missed: MissedMutant[];
  completion: string;
}

export interface BrowserTask {
  id: string;
  category: string | null;
  code: string;
  /** Per model: samples scored, valid ones, and the best and worst sample (worst null with one sample). */
  models: Record<string, { n: number; valid: number; best: BrowserSample; worst: BrowserSample | null }>;
}

export interface BrowserData {
  limits: typeof BROWSER_LIMITS;
  models: string[];
  /** Tasks left out beyond the limit. */
  tasks_left_out: number;
  tasks: BrowserTask[];
}

export function cutText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n… [${text.length - max} more characters cut]`;
}

/** Worse outcomes rank lower: a run that ran tests beats one that never collected, and so on (sandbox_error last: ours). */
const OUTCOME_RANK = new Map<Outcome, number>(OUTCOMES.map((o, i) => [o, OUTCOMES.length - i]));

/** Compares two samples, positive when `a` is better: validity, reward, mutation score, outcome, then the earlier sample. */
export function compareSamples(a: ScoredCompletion, b: ScoredCompletion): number {
  const key = (s: ScoredCompletion): number[] => [s.valid ? 1 : 0, s.reward ?? -1, s.mutation?.score ?? 0, OUTCOME_RANK.get(s.status) ?? 0, -(s.sample_index ?? 0)];
  const ka = key(a), kb = key(b);
  for (let i = 0; i < ka.length; i += 1) {
    const d = (ka[i] as number) - (kb[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

function browserSample(s: ScoredCompletion): BrowserSample {
  const detail = s.invalid_reason ?? s.detail;
  return {
    sample_index: s.sample_index,
    status: s.status,
    valid: s.valid,
    reward: s.reward,
    mutation: s.mutation?.score ?? null,
    mutants: s.mutation === undefined || s.mutation === null ? null : { total: s.mutation.total, killed: s.mutation.killed },
    detail: cutText(detail, BROWSER_LIMITS.detail),
    missed: s.missed_mutants ?? [],
    completion: cutText(s.completion, BROWSER_LIMITS.completion),
  };
}

export function browserData(evidence: Evidence): BrowserData {
  const byModel = evidence.models.map((m) => {
    const perTask = new Map<string, ScoredCompletion[]>();
    for (const s of m.scores) {
      const list = perTask.get(s.task_id);
      if (list === undefined) perTask.set(s.task_id, [s]);
      else list.push(s);
    }
    return { model: m.model, perTask };
  });
  const kept = evidence.tasks.slice(0, BROWSER_LIMITS.tasks);
  const tasks = kept.map((task): BrowserTask => {
    const models: BrowserTask["models"] = {};
    for (const { model, perTask } of byModel) {
      const scores = perTask.get(task.id);
      if (scores === undefined || scores.length === 0) continue;
      const sorted = [...scores].sort((a, b) => compareSamples(b, a));
      const best = sorted[0] as ScoredCompletion;
      models[model] = { n: scores.length, valid: scores.filter((s) => s.valid).length, best: browserSample(best), worst: sorted.length > 1 ? browserSample(sorted.at(-1) as ScoredCompletion) : null };
    }
    return { id: task.id, category: task.category ?? null, code: cutText(task.code, BROWSER_LIMITS.code), models };
  });
  return { limits: BROWSER_LIMITS, models: evidence.models.map((m) => m.model), tasks_left_out: evidence.tasks.length - kept.length, tasks };
}
