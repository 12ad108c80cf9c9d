/**
 * Which of a model's own samples rejection-sampling fine-tuning keeps (expert iteration: the
 * model is fine-tuned on its samples that a verifier accepts, then samples again; STaR,
 * Zelikman et al. 2022; ReST-EM, Singh et al. 2023). Here the verifier is the sandbox: a test
 * file is kept when it is valid and its reward reaches `minReward`, so under `strong_only`
 * only strong files (valid, killing at least 0.8 of the non-equivalent mutants) are trained
 * on. Unlike a validity-gated RL reward, a valid but weak file earns nothing here: there is no
 * gain in writing an easier check that is right.
 */

export interface RftCandidate {
  task_id: string;
  /** The round that sampled it (1-based) and its index among the task's samples of that round. */
  round: number;
  sample_index: number;
  /** The extracted test file (what training would teach). */
  tests: string;
  valid: boolean;
  reward: number;
  /** Distinct inputs its checks call the code under test with (0 when not counted). */
  distinct_inputs: number;
}

export interface KeepOptions {
  minReward: number;
  maxPerTask: number;
}

/**
 * Per task, the valid candidates whose reward reaches `minReward`, each distinct file once
 * (the earliest sample of it), at most `maxPerTask`: the highest reward first, then the most
 * distinct inputs (of two strong files, the one that checks more behaviour), then the earliest.
 * Returned in task order of first appearance, each task's files in that ranking.
 */
export function keptFiles(candidates: readonly RftCandidate[], options: KeepOptions): RftCandidate[] {
  const byTask = new Map<string, Map<string, RftCandidate>>();
  for (const c of candidates) {
    if (!c.valid || c.reward < options.minReward || c.tests.trim() === "") continue;
    const files = byTask.get(c.task_id) ?? new Map<string, RftCandidate>();
    const key = c.tests.trim();
    if (!files.has(key)) files.set(key, c);
    byTask.set(c.task_id, files);
  }
  const earlier = (a: RftCandidate, b: RftCandidate) => a.round - b.round || a.sample_index - b.sample_index;
  return [...byTask.values()].flatMap((files) =>
    [...files.values()].sort((a, b) => b.reward - a.reward || b.distinct_inputs - a.distinct_inputs || earlier(a, b)).slice(0, options.maxPerTask),
  );
}
