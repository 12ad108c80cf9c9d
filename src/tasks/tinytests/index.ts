/**
 * TinyTests: seeded synthetic Python modules in five difficulty tiers, with reference pytest
 * files whose expected values come from executing the functions. Small and regular enough that
 * a tiny model trained for minutes on a CPU can learn to test them.
 *
 * Tiers: 1 arithmetic, 2 branches, 3 loops, 4 strings and lists, 5 several functions per
 * module. Train and eval are disjoint by structure (holdout.ts), not only by seed.
 */
import { ConfigError } from "../../errors.js";
import { Rng } from "../../util/rng.js";
import type { Task } from "../schema.js";
import { describeModule } from "./describe.js";
import { renderModule, type ModuleDraft, type Tier } from "./draft.js";
import { evaluateCalls, type ItemOutcome } from "./evaluate-calls.js";
import { combinationsFor, type Combination, type TinySplit } from "./holdout.js";
import { renderFunctionTests, renderTestFile, type ObservedCall, type RenderedTests } from "./render-tests.js";
import { tier1 } from "./tier1.js";
import { tier2 } from "./tier2.js";
import { tier3 } from "./tier3.js";
import { tier4 } from "./tier4.js";
import { tier5 } from "./tier5.js";

export { combinationsFor, splitOfCombination, type TinySplit } from "./holdout.js";

export const TINY_TIERS: readonly Tier[] = [tier1, tier2, tier3, tier4, tier5];

export interface TinyTestsOptions {
  seed: number;
  trainCount: number;
  evalCount: number;
  /** Tiers to draw from, round-robin (default: all five). */
  tiers?: number[];
}

const MODULE = "solution";
const MAX_DRAWS_PER_SLOT = 60; // redraws when a draw repeats an existing module's code
const MAX_ROUNDS = 12; // re-evaluation rounds for slots whose draw produced no usable test

interface Slot {
  split: TinySplit;
  index: number; // global task number: train first, then eval
  tier: Tier;
  attempts: number;
  task?: Task;
}

interface Candidate {
  slot: Slot;
  draft: ModuleDraft;
  code: string;
  combination: Combination;
  rng: Rng;
}

function checkOptions(options: TinyTestsOptions): Tier[] {
  for (const field of ["trainCount", "evalCount"] as const) {
    if (!Number.isInteger(options[field]) || options[field] < 0) throw new ConfigError("tinytests", field, `must be a non-negative integer, got ${options[field]}`);
  }
  if (!Number.isInteger(options.seed)) throw new ConfigError("tinytests", "seed", `must be an integer, got ${options.seed}`);
  const tiers = options.tiers ?? TINY_TIERS.map((t) => t.tier);
  if (tiers.length === 0) throw new ConfigError("tinytests", "tiers", "must name at least one tier (1-5)");
  return tiers.map((n) => {
    const tier = TINY_TIERS.find((t) => t.tier === n);
    if (tier === undefined) throw new ConfigError("tinytests", "tiers", `unknown tier ${n}: the tiers are 1 to 5`);
    return tier;
  });
}

/** Draws a module for a slot whose code no earlier draw produced. */
function drawCandidate(seed: number, slot: Slot, seen: Set<string>): Candidate {
  const combinations = combinationsFor(slot.tier, slot.split);
  for (let draw = 0; draw < MAX_DRAWS_PER_SLOT; draw++) {
    slot.attempts += 1;
    const rng = new Rng(`${seed}:tinytests:${slot.split}:${slot.index}:${slot.attempts}`);
    const combination = rng.pick(combinations);
    const draft = combination.template.draft(rng, combination.variant);
    const code = renderModule(draft);
    if (seen.has(code)) continue;
    seen.add(code);
    return { slot, draft, code, combination, rng };
  }
  throw new ConfigError("tinytests", "trainCount", `tier ${slot.tier.tier} cannot produce that many distinct ${slot.split} functions`, {
    hint: "ask for fewer tasks or include more tiers",
  });
}

function toTask(candidate: Candidate, tests: string): Task {
  const { slot, draft, combination } = candidate;
  return {
    id: `tinytests/t${slot.tier.tier}-${String(slot.index).padStart(6, "0")}`,
    source: "tinytests",
    code: candidate.code,
    module: MODULE,
    entry_points: draft.functions.map((f) => f.name),
    description: describeModule(draft, combination.template.name, combination.variant),
    tests,
    category: slot.tier.name,
    split: slot.split,
    metadata: { tier: slot.tier.tier, template: combination.template.name, variant: combination.variant, structure: combination.key },
  };
}

/** The reference test file for a candidate, or undefined when some function got no usable case. */
function testsFor(candidate: Candidate, outcome: ItemOutcome): string | undefined {
  if (outcome.module_error !== null) return undefined;
  let next = 0;
  const rendered: RenderedTests[] = [];
  for (const fn of candidate.draft.functions) {
    const observed: ObservedCall[] = [];
    for (const a of fn.inputs) {
      const result = outcome.calls[next++];
      if (result === undefined) return undefined;
      observed.push({ args: a, outcome: result });
    }
    const tests = renderFunctionTests(candidate.rng, fn, observed);
    if (tests === undefined) return undefined;
    rendered.push(tests);
  }
  return renderTestFile(MODULE, candidate.draft.functions.map((f) => f.name), rendered);
}

/** Evaluates the candidates' calls in one Python process and fills the slots that got usable tests. */
async function settle(candidates: Candidate[]): Promise<void> {
  const items = candidates.map((c) => ({ code: c.code, calls: c.draft.functions.flatMap((f) => f.inputs.map((a) => `${f.name}(${a.join(", ")})`)) }));
  const outcomes = await evaluateCalls(items);
  candidates.forEach((candidate, i) => {
    const outcome = outcomes[i];
    const tests = outcome === undefined ? undefined : testsFor(candidate, outcome);
    if (tests !== undefined) candidate.slot.task = toTask(candidate, tests);
  });
}

/** Generates `trainCount` train and `evalCount` eval tasks; the same options give the same tasks. */
export async function generateTinyTests(options: TinyTestsOptions): Promise<Task[]> {
  const tiers = checkOptions(options);
  const slots: Slot[] = [];
  for (let i = 0; i < options.trainCount + options.evalCount; i++) {
    const split: TinySplit = i < options.trainCount ? "train" : "eval";
    const within = split === "train" ? i : i - options.trainCount;
    slots.push({ split, index: i, tier: tiers[within % tiers.length] as Tier, attempts: 0 });
  }
  const seen = new Set<string>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const pending = slots.filter((s) => s.task === undefined);
    if (pending.length === 0) break;
    await settle(pending.map((slot) => drawCandidate(options.seed, slot, seen)));
  }
  const missing = slots.filter((s) => s.task === undefined);
  if (missing.length > 0) throw new Error(`TinyTests generator produced no usable tests for ${missing.length} slot(s) after ${MAX_ROUNDS} rounds (a generator bug)`);
  return slots.map((s) => s.task as Task);
}
