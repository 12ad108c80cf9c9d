/**
 * Choosing preference pairs among one prompt's scored samples, and summarising them.
 *
 * The chosen sample must be a valid test file (it passed on the reference code with an
 * assertion run); the rejected one is any sample whose reward is at least `margin` below
 * it. The best valid sample is paired with the worst one first (as Self-Rewarding Language
 * Models, Yuan et al. 2024, pair the highest and lowest scored responses), then the next
 * best with the next worst, each sample used once. A prompt with no valid sample (all
 * fail), with every reward equal (all tie), or with no two samples far enough apart gives no
 * pair, and is counted under that reason.
 *
 * Those pairs mostly set a valid file against an invalid one, which teaches validity; when
 * few samples are valid, a reward that ranks valid files (the strength reward: mutants
 * killed) then hardly reaches the pairs. `validPairsPerPrompt` adds pairs of a stronger valid
 * file against a weaker valid one, at least `validMargin` apart (strongest against weakest
 * first, each sample used once among these pairs), beside the others.
 *
 * A valid file usually writes fewer checks than an invalid one (each check is one more chance
 * to be wrong), so valid-vs-invalid pairs also teach "check less", and a reward that pays for
 * what the checks catch is undone by it. With `matchChecks`, the rejected side of those pairs
 * writes no more checks (static count) than the chosen, the closest count first, so the
 * pair's difference is correctness, not brevity (the length bias of DPO, controlled here by
 * the data rather than the loss as in Park et al., "Disentangling Length from Quality in
 * Direct Preference Optimization", 2024).
 */
import { meanOrNull } from "../util/stats.js";

/** A scored sample of one prompt. */
export interface Candidate {
  sample_index: number;
  completion: string;
  reward: number;
  valid: boolean;
  /** Checks the file writes (static count; 0 when it does not parse). */
  checks?: number;
}

export interface PairSettings {
  margin: number;
  pairsPerPrompt: number;
  /** Extra pairs of two valid samples per prompt (none when absent or 0). */
  validPairsPerPrompt?: number;
  /** The reward gap those need; must be above 0, so a tie is never a pair. */
  validMargin?: number;
  /** The rejected side of the first pairs writes no more checks than the chosen. */
  matchChecks?: boolean;
}

export type DropReason = "no_samples" | "all_invalid" | "all_tie" | "below_margin" | "checks_unmatched";

export type Selection = { pairs: [Candidate, Candidate][] } | { drop: DropReason };

// Rewards are sums of a few products of fractions: compare them with room for rounding.
const EPSILON = 1e-9;

const byRewardThenIndex = (a: Candidate, b: Candidate): number => a.reward - b.reward || a.sample_index - b.sample_index;

export function selectPairs(candidates: Candidate[], settings: PairSettings): Selection {
  if (candidates.length === 0) return { drop: "no_samples" };
  const valid = candidates.filter((c) => c.valid).sort((a, b) => b.reward - a.reward || a.sample_index - b.sample_index);
  if (valid.length === 0) return { drop: "all_invalid" };
  const ascending = [...candidates].sort(byRewardThenIndex);
  if ((ascending.at(-1) as Candidate).reward - (ascending[0] as Candidate).reward < EPSILON) return { drop: "all_tie" };
  const pairs = pairUp(valid, settings.matchChecks === true ? fewerChecksFirst(ascending) : () => ascending, settings.margin, settings.pairsPerPrompt);
  const validPairs = settings.validPairsPerPrompt ?? 0;
  if (validPairs > 0) {
    const made = new Set(pairs.map(([chosen, rejected]) => `${chosen.sample_index}>${rejected.sample_index}`));
    // a positive gap even if the margin is 0: two valid files that tie teach nothing
    const margin = Math.max(settings.validMargin ?? settings.margin, 2 * EPSILON);
    const weakestFirst = [...valid].sort(byRewardThenIndex);
    const stronger = pairUp(valid, () => weakestFirst, margin, validPairs);
    pairs.push(...stronger.filter(([chosen, rejected]) => !made.has(`${chosen.sample_index}>${rejected.sample_index}`)));
  }
  if (pairs.length > 0) return { pairs };
  const unmatched = settings.matchChecks === true && "pairs" in selectPairs(candidates, { ...settings, matchChecks: false });
  return { drop: unmatched ? "checks_unmatched" : "below_margin" };
}

const checksOf = (c: Candidate): number => c.checks ?? 0;

/** For each chosen: the samples with no more checks than it, the closest count first, then worst first. */
function fewerChecksFirst(ascending: Candidate[]): (chosen: Candidate) => Candidate[] {
  return (chosen) =>
    ascending.filter((r) => checksOf(r) <= checksOf(chosen)).sort((a, b) => checksOf(b) - checksOf(a) || byRewardThenIndex(a, b));
}

/**
 * Up to `limit` pairs: each of `chosenFirst` (best first) against the first unused of its
 * `rejectedFor` list (worst first) at least `margin` below it with another text; each sample used once.
 */
function pairUp(chosenFirst: Candidate[], rejectedFor: (chosen: Candidate) => Candidate[], margin: number, limit: number): [Candidate, Candidate][] {
  const used = new Set<number>();
  const pairs: [Candidate, Candidate][] = [];
  for (const chosen of chosenFirst) {
    if (pairs.length >= limit) break;
    if (used.has(chosen.sample_index)) continue;
    const rejected = rejectedFor(chosen).find(
      (r) => !used.has(r.sample_index) && r.sample_index !== chosen.sample_index && chosen.reward - r.reward >= margin - EPSILON && r.completion !== chosen.completion,
    );
    if (rejected === undefined) continue;
    used.add(chosen.sample_index).add(rejected.sample_index);
    pairs.push([chosen, rejected]);
  }
  return pairs;
}

/** A line of pairs.jsonl: TRL's prompt/chosen/rejected format, with where each side came from. */
export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
  task_id: string;
  chosen_sample: number;
  rejected_sample: number;
  chosen_reward: number;
  rejected_reward: number;
}

export interface PairStats {
  prompts: number;
  prompts_with_pairs: number;
  pairs: number;
  dropped: Record<DropReason, number>;
  margin: number;
  chosen_reward_mean: number | null;
  rejected_reward_mean: number | null;
  reward_gap_mean: number | null;
  /** Share of rejected samples that were valid too (ranked lower on quality, not on validity). */
  rejected_valid_rate: number | null;
  /** The pairs by what they teach: validity (the rejected is invalid) or strength (both valid). */
  pairs_by_type: { valid_vs_invalid: number; valid_vs_valid: number };
  valid_pairs_per_prompt: number;
  valid_margin: number | null;
  match_checks: boolean;
  /** Mean checks written by the chosen and the rejected sides (null when no pair or no counts). */
  chosen_checks_mean: number | null;
  rejected_checks_mean: number | null;
}


/** Pairs for every prompt, in the order of `prompts`, and their statistics. */
export function buildPairs(
  prompts: { task_id: string; prompt: string }[],
  candidatesByTask: ReadonlyMap<string, Candidate[]>,
  settings: PairSettings,
): { pairs: PreferencePair[]; stats: PairStats } {
  const dropped: Record<DropReason, number> = { no_samples: 0, all_invalid: 0, all_tie: 0, below_margin: 0, checks_unmatched: 0 };
  const pairs: PreferencePair[] = [];
  let withPairs = 0;
  let rejectedValid = 0;
  const checks: [number, number][] = [];
  for (const { task_id, prompt } of prompts) {
    const selection = selectPairs(candidatesByTask.get(task_id) ?? [], settings);
    if ("drop" in selection) {
      dropped[selection.drop] += 1;
      continue;
    }
    withPairs += 1;
    for (const [chosen, rejected] of selection.pairs) {
      if (rejected.valid) rejectedValid += 1;
      if (chosen.checks !== undefined && rejected.checks !== undefined) checks.push([chosen.checks, rejected.checks]);
      pairs.push({
        prompt,
        chosen: chosen.completion,
        rejected: rejected.completion,
        task_id,
        chosen_sample: chosen.sample_index,
        rejected_sample: rejected.sample_index,
        chosen_reward: chosen.reward,
        rejected_reward: rejected.reward,
      });
    }
  }
  const stats: PairStats = {
    prompts: prompts.length,
    prompts_with_pairs: withPairs,
    pairs: pairs.length,
    dropped,
    margin: settings.margin,
    chosen_reward_mean: meanOrNull(pairs.map((p) => p.chosen_reward)),
    rejected_reward_mean: meanOrNull(pairs.map((p) => p.rejected_reward)),
    reward_gap_mean: meanOrNull(pairs.map((p) => p.chosen_reward - p.rejected_reward)),
    rejected_valid_rate: pairs.length === 0 ? null : rejectedValid / pairs.length,
    pairs_by_type: { valid_vs_invalid: pairs.length - rejectedValid, valid_vs_valid: rejectedValid },
    valid_pairs_per_prompt: settings.validPairsPerPrompt ?? 0,
    valid_margin: (settings.validPairsPerPrompt ?? 0) > 0 ? (settings.validMargin ?? settings.margin) : null,
    match_checks: settings.matchChecks === true,
    chosen_checks_mean: meanOrNull(checks.map(([chosen]) => chosen)),
    rejected_checks_mean: meanOrNull(checks.map(([, rejected]) => rejected)),
  };
  return { pairs, stats };
}
