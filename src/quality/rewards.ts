/**
 * Reward presets: pure functions from a scored sample to a number in [0, 1].
 *
 * Common rules (every preset):
 * - a file that asserts nothing earns nothing: no check written (static count 0 or unparsable
 *   file) gives 0, and a run whose tests pass without any assertion running gives 0;
 * - a run that tampered with the runner (`rejected`) or died before reporting (`crashed`:
 *   `os._exit`, a killed parent, a signal) gives 0;
 * - a file that tests its own copy of an entry point, or never the module, earns nothing
 *   (sample.ts: targetProblem);
 * - `sandbox_error` is our failure, not the sample's: the reward is null and callers retry or
 *   report it, never train on it.
 *
 * docs/rewards.md has the table of every preset and outcome, with the reasons for the numbers.
 */
import { isValid, targetProblem, type ScoredSample } from "./sample.js";
import type { Outcome } from "../sandbox/types.js";

export const REWARD_PRESETS = ["quality", "staged", "pass_rate", "strength", "mutation", "strong", "strong_only"] as const;
export type RewardPreset = (typeof REWARD_PRESETS)[number];

export const REWARD_DESCRIPTIONS: Record<RewardPreset, string> = {
  quality: "valid files only: 0.5 + 0.4 x mutation score + 0.1 x line coverage (weights of unmeasured parts move to the other part)",
  staged: "0.1 parses (and has a check), 0.3 tests ran, 1.0 all passed with an assertion run",
  pass_rate: "fraction of tests that passed; 0 when no assertion ran",
  strength: "valid files only: 0.25 + 0.75 x fraction of the non-equivalent mutants killed (no mutants measured: 0.25)",
  mutation: "valid files only: the fraction of the non-equivalent mutants killed, nothing for validity alone (needs mutants)",
  strong: "valid files only: 0.2 x fraction of the non-equivalent mutants killed + 0.8 when that fraction is at least 0.8 (a strong file; needs mutants)",
  strong_only: "1 for a strong file (valid, and killing at least 0.8 of the non-equivalent mutants), 0 for anything else (needs mutants)",
};

/** What each preset reads beyond the verdict: a service or stage scoring for it measures only these. */
export const REWARD_MEASURES: Record<RewardPreset, { mutants: boolean; coverage: boolean }> = {
  quality: { mutants: true, coverage: true },
  staged: { mutants: false, coverage: false },
  pass_rate: { mutants: false, coverage: false },
  strength: { mutants: true, coverage: false },
  mutation: { mutants: true, coverage: false },
  strong: { mutants: true, coverage: false },
  strong_only: { mutants: true, coverage: false },
};

/** Presets that pay a valid file nothing unless its mutants were run: scoring with them without mutants is refused. */
export const MUTANTS_REQUIRED: ReadonlySet<RewardPreset> = new Set(["mutation", "strong", "strong_only"]);

/** `staged`: credit for each stage a file reaches. */
export const STAGED = {
  /** Parses and contains a check, but no test ran to a verdict (collection error, no tests, timeout, memory). */
  parses: 0.1,
  /** Tests ran and some failed or errored. */
  runs: 0.3,
  /** Valid: every test passed and an assertion ran. */
  passes: 1.0,
} as const;

/**
 * `quality`: a valid file earns the floor; mutants killed and lines covered earn the rest.
 * The floor makes validity the dominant signal (a correct file always beats an incorrect
 * one); mutation score gets most of the rest because killed mutants track real-fault
 * detection (Just et al., "Are mutants a valid substitute for real faults in software
 * testing?", FSE 2014) while coverage alone correlates weakly with it (Inozemtseva and
 * Holmes, "Coverage is not strongly correlated with test suite effectiveness", ICSE 2014).
 */
export const QUALITY = { floor: 0.5, mutation: 0.4, coverage: 0.1 } as const;

/**
 * `strength`: pays for the faults a valid file catches. A valid file earns the floor, each
 * killed mutant an equal share of the rest (killed / mutants run, likely-equivalent mutants
 * left out by src/quality/mutant-sets.ts). The floor keeps every valid file above every
 * invalid one (0); it is lower than `quality`'s so that most of the reward is what the file
 * detects. Nothing counts checks, tests or lines: a repeated assertion or input kills no new
 * mutant and so earns nothing, and the reward stays in [0, 1]. Coverage is not paid:
 * executing a line is not checking it (Inozemtseva and Holmes, ICSE 2014). The mutation
 * reward follows MIST-RL (GRPO with a mutation-kill reward) and the fault-coupling evidence of
 * Just et al. (FSE 2014).
 */
export const STRENGTH = { floor: 0.25, mutation: 0.75 } as const;

/**
 * `mutation`: `strength` without its floor, exactly the mutation score of a valid file (0 for
 * anything else). Its expectation over a model's samples is the mutation score over all
 * samples, so a shorter file gains only where it is valid and the longer one was not: with
 * the floor, a valid one-check file beat any file risking a second check, and GRPO learned
 * shorter files (docs/rewards.md). A valid file that kills nothing earns what an invalid one
 * does (0), so it needs mutants measured.
 */
export const MUTATION = { floor: 0, mutation: 1 } as const;

/**
 * `strong`: pays mostly for a strong file, one that kills at least `at` of its mutants (the
 * strong@k of the evaluation, same threshold), and a little per mutant below it. Under
 * `strength` and `mutation` a valid file whose inputs are trivial (all zeros: easy to get
 * right, and most mutants give the same output there) out-earned files with real inputs, and
 * GRPO learned them: all-zero calls went from 9.5% of SFT's valid files' asserts to 46%
 * (docs/rewards.md, "A baseline per check count"). A weak valid file earns at most 0.2 x its
 * kill fraction (below 0.16), a strong one at least 0.96. Needs mutants, like `mutation`.
 */
export const STRONG = { mutation: 0.2, strong: 0.8, at: 0.8 } as const;

const NO_VERDICT: ReadonlySet<Outcome> = new Set(["rejected", "crashed"]);
const TESTS_RAN: ReadonlySet<Outcome> = new Set(["passed", "failed", "error"]);

function assertsNothing(s: ScoredSample): boolean {
  return s.static_assertions === null || s.static_assertions === 0;
}

export function stagedReward(s: ScoredSample): number | null {
  if (s.status === "sandbox_error") return null;
  if (NO_VERDICT.has(s.status) || s.status === "syntax_error" || assertsNothing(s)) return 0;
  if (isValid(s)) return STAGED.passes;
  if (s.status === "passed") return 0; // every test passed yet no assertion ran: it checked nothing
  return TESTS_RAN.has(s.status) && s.tests.total > 0 ? STAGED.runs : STAGED.parses;
}

export function passRateReward(s: ScoredSample): number | null {
  if (s.status === "sandbox_error") return null;
  if (!TESTS_RAN.has(s.status) || assertsNothing(s) || s.assertions === 0 || s.tests.total === 0) return 0;
  if (targetProblem(s.target) !== undefined) return 0; // its passes are a copy's

  return s.tests.passed / s.tests.total;
}

export function qualityReward(s: ScoredSample): number | null {
  if (s.status === "sandbox_error") return null;
  if (!isValid(s) || assertsNothing(s)) return 0;
  // A measurement that was not made (or had nothing to measure: no mutants) hands its weight
  // to the other, so a valid file can always reach 1.0 under the flags it was scored with.
  const mutation = s.mutation !== undefined && s.mutation.total > 0 ? s.mutation.score : undefined;
  const coverage = s.coverage?.line;
  const rest = 1 - QUALITY.floor;
  if (mutation !== undefined && coverage !== undefined) return QUALITY.floor + QUALITY.mutation * mutation + QUALITY.coverage * coverage;
  if (mutation !== undefined) return QUALITY.floor + rest * mutation;
  if (coverage !== undefined) return QUALITY.floor + rest * coverage;
  return 1;
}

/** A validity-gated kill reward: the shape's floor for a valid file, its share per mutant killed. */
function killReward(shape: { floor: number; mutation: number }, s: ScoredSample): number | null {
  if (s.status === "sandbox_error") return null;
  if (!isValid(s) || assertsNothing(s)) return 0;
  // unmeasured (no --mutants) or nothing to kill: validity is all that is known
  if (s.mutation === undefined || s.mutation.total === 0) return shape.floor;
  return shape.floor + shape.mutation * s.mutation.score;
}

export function strengthReward(s: ScoredSample): number | null {
  return killReward(STRENGTH, s);
}

export function mutationReward(s: ScoredSample): number | null {
  return killReward(MUTATION, s);
}

/** A mutation score at or above `threshold`, with a tolerance: 4 of 5 mutants is 0.8 however the fraction was computed. */
export function reachesStrong(score: number, threshold: number): boolean {
  return score >= threshold - 1e-12;
}

export function strongReward(s: ScoredSample): number | null {
  const score = killReward(MUTATION, s);
  if (score === null || score === 0) return score;
  return STRONG.mutation * score + (reachesStrong(score, STRONG.at) ? STRONG.strong : 0);
}

/**
 * `strong_only`: `strong` without its 0.2 per mutant: a file earns 1 if it is strong and 0
 * otherwise, a success-or-failure reward like a passing test in code RL. Why: under GRPO's
 * per-group standard-deviation scaling the small term decided most groups (one weak valid file
 * among invalid ones got the whole advantage), so `strong` still taught trivial inputs; with
 * nothing for a weak file, only groups holding a strong file teach at all (docs/rewards.md).
 * A weak valid file earns what an invalid one does, never more, so validity still never loses.
 */
export function strongOnlyReward(s: ScoredSample): number | null {
  const score = killReward(MUTATION, s);
  if (score === null) return null;
  return reachesStrong(score, STRONG.at) ? 1 : 0;
}

const PRESETS: Record<RewardPreset, (s: ScoredSample) => number | null> = {
  quality: qualityReward,
  staged: stagedReward,
  pass_rate: passRateReward,
  strength: strengthReward,
  mutation: mutationReward,
  strong: strongReward,
  strong_only: strongOnlyReward,
};

/** The reward of a sample under a preset; null only for `sandbox_error`. */
export function reward(preset: RewardPreset, sample: ScoredSample): number | null {
  return PRESETS[preset](sample);
}

export function isRewardPreset(name: string): name is RewardPreset {
  return (REWARD_PRESETS as readonly string[]).includes(name);
}
