/**
 * A model's evaluation results from its scored samples: pass@k (a sample is correct when its
 * test file is valid on the reference code), valid rate, mean mutation score and coverage of the
 * valid tests, and the outcome taxonomy counts.
 */
import { UsageError } from "../errors.js";
import type { Outcome } from "../sandbox/types.js";
import { mean, meanOrNull } from "../util/stats.js";
import { passAtK } from "./pass-at-k.js";
import { computeKindResults, type KindResults, type KindSampleFields } from "./kinds.js";
import { computeStrength, strongPerTask, type StrengthFields, type StrengthResults } from "./strength.js";

/** The fields of a score line that evaluation reads. */
export interface ScoredSample extends StrengthFields, KindSampleFields {
  task_id: string;
  status: Outcome;
  valid: boolean;
  reward: number;
  mutation?: { score: number; total?: number } | null;
  coverage?: { line: number; branch: number } | null;
}

export interface TaskResult {
  task_id: string;
  n: number;
  /** Valid samples. */
  c: number;
  /** Mean mutation score over the task's samples (0 for invalid samples). */
  mutation: number;
  reward: number;
  /** Strong samples (valid, killing at least the strong@k threshold of the mutants), when computed. */
  strong?: number;
  /**
   * Mean mutation score of the task's valid samples that ran mutants; absent when it has none.
   * Compared only on the tasks where both models have it, so that a model valid on more tasks
   * is not judged by the harder tasks only it gets right (comparison.ts).
   */
  valid_mutation?: number;
}

export interface ModelResults {
  model: string;
  tasks: number;
  samples: number;
  samples_per_task: number;
  "pass@1": number;
  pass_at_k: Record<string, number>;
  valid_rate: number;
  /** Mean over all samples of the mutation score, counting invalid samples as 0. */
  mean_mutation_score: number | null;
  /** Mean mutation score of the valid samples alone: how strong the tests are that count. */
  valid_mutation_score: number | null;
  /** Mean line coverage of the reference over valid samples that measured it. */
  mean_line_coverage: number | null;
  mean_reward: number;
  status_counts: Partial<Record<Outcome, number>>;
  /** strong@k, the mutation scores of valid files, checks and inputs per file (src/eval/strength.ts), when asked for. */
  strength?: StrengthResults;
  /** Per task kind, when the score lines name their kind (src/eval/kinds.ts). */
  kinds?: Record<string, KindResults>;
  /** One greedy (temperature 0) answer per task, when eval.greedy: its pass@1 overall and per kind. */
  greedy?: GreedyResults;
  per_task: TaskResult[];
}

export interface GreedyResults {
  "pass@1": number;
  /** Per kind: the greedy pass@1 and that answer's compile, hallucination and style figures (src/eval/kinds.ts). */
  kinds?: Record<string, KindResults>;
}

/** The greedy results from the scores of one greedy answer per task. */
export function computeGreedyResults(scores: readonly ScoredSample[]): GreedyResults {
  const kinds = computeKindResults(scores, [1]);
  return { "pass@1": mean(scores.map((s) => (s.valid ? 1 : 0))), ...(kinds === undefined ? {} : { kinds }) };
}

/** `strongAt`: also compute the strength metrics with this strong@k threshold. */
export function computeModelResults(model: string, scores: readonly ScoredSample[], ks: readonly number[], taskIds: readonly string[], strongAt?: number): ModelResults {
  const byTask = new Map<string, ScoredSample[]>(taskIds.map((id) => [id, []]));
  for (const s of scores) {
    const list = byTask.get(s.task_id);
    if (list === undefined) throw new UsageError(`score for unknown task '${s.task_id}' in model '${model}'`);
    list.push(s);
  }
  const perTask: TaskResult[] = [];
  for (const [taskId, list] of byTask) {
    if (list.length === 0) throw new UsageError(`task '${taskId}' has no scored samples for model '${model}'`, "re-run the eval stage: it resumes where it stopped");
    const validScores = list.flatMap((s) => (s.valid && s.mutation !== undefined && s.mutation !== null ? [s.mutation.score] : []));
    perTask.push({
      task_id: taskId,
      n: list.length,
      c: list.filter((s) => s.valid).length,
      mutation: mean(list.map((s) => (s.valid ? (s.mutation?.score ?? 0) : 0))),
      reward: mean(list.map((s) => s.reward)),
      ...(validScores.length === 0 ? {} : { valid_mutation: mean(validScores) }),
    });
  }
  const nMin = Math.min(...perTask.map((t) => t.n));
  const passK: Record<string, number> = {};
  for (const k of ks) passK[`pass@${k}`] = mean(perTask.map((t) => passAtK(t.n, t.c, k)));
  const statusCounts: Partial<Record<Outcome, number>> = {};
  for (const s of scores) statusCounts[s.status] = (statusCounts[s.status] ?? 0) + 1;
  const measuredMutation = scores.some((s) => s.mutation !== undefined && s.mutation !== null) || scores.every((s) => !s.valid);
  const validMutation = scores.filter((s) => s.valid && s.mutation !== undefined && s.mutation !== null).map((s) => s.mutation?.score ?? 0);
  const covered = scores.filter((s) => s.valid && s.coverage !== undefined && s.coverage !== null);
  if (strongAt !== undefined) {
    const strong = strongPerTask(scores, taskIds, strongAt);
    for (const t of perTask) t.strong = strong.get(t.task_id)?.strong ?? 0;
  }
  const kinds = computeKindResults(scores, ks);
  return {
    ...(strongAt === undefined ? {} : { strength: computeStrength(scores, taskIds, ks, strongAt) }),
    ...(kinds === undefined ? {} : { kinds }),
    model,
    tasks: perTask.length,
    samples: scores.length,
    samples_per_task: nMin,
    "pass@1": mean(perTask.map((t) => passAtK(t.n, t.c, 1))),
    pass_at_k: passK,
    valid_rate: mean(scores.map((s) => (s.valid ? 1 : 0))),
    mean_mutation_score: measuredMutation ? mean(perTask.map((t) => t.mutation)) : null,
    valid_mutation_score: meanOrNull(validMutation),
    mean_line_coverage: covered.length === 0 ? null : mean(covered.map((s) => s.coverage?.line ?? 0)),
    mean_reward: mean(scores.map((s) => s.reward)),
    status_counts: statusCounts,
    per_task: perTask,
  };
}
