import assert from "node:assert/strict";
import { test } from "node:test";
import { buildPairs, selectPairs, type Candidate } from "../../src/train/pairs.js";

const c = (sample_index: number, reward: number, valid: boolean): Candidate => ({ sample_index, completion: `tests ${sample_index}`, reward, valid });
const settings = { margin: 0.1, pairsPerPrompt: 1 };

test("the best valid sample is paired with the worst one", () => {
  const selection = selectPairs([c(0, 0.3, false), c(1, 0.9, true), c(2, 0, false), c(3, 0.6, true)], settings);
  assert.ok("pairs" in selection);
  assert.deepEqual(selection.pairs.map(([chosen, rejected]) => [chosen.sample_index, rejected.sample_index]), [[1, 2]]);
});

test("a prompt without a valid sample is dropped as all_invalid, even when rewards differ", () => {
  assert.deepEqual(selectPairs([c(0, 0.3, false), c(1, 0.1, false)], settings), { drop: "all_invalid" });
});

test("a prompt whose samples all earn the same reward is dropped as all_tie", () => {
  assert.deepEqual(selectPairs([c(0, 1, true), c(1, 1, true), c(2, 1, true)], settings), { drop: "all_tie" });
});

test("a pair needs the margin: closer rewards are dropped as below_margin", () => {
  assert.deepEqual(selectPairs([c(0, 0.55, true), c(1, 0.5, true)], settings), { drop: "below_margin" });
  // exactly the margin counts, despite rounding in the rewards
  const exact = selectPairs([c(0, 0.7, true), c(1, 0.6, true)], settings);
  assert.ok("pairs" in exact && exact.pairs.length === 1);
});

test("a valid sample may be the rejected one when a better valid one beats it by the margin", () => {
  const selection = selectPairs([c(0, 0.98, true), c(1, 0.5, true)], settings);
  assert.ok("pairs" in selection);
  assert.deepEqual(selection.pairs.map(([x, y]) => [x.sample_index, y.sample_index]), [[0, 1]]);
});

test("several pairs per prompt use each sample once: next best against next worst", () => {
  const samples = [c(0, 1, true), c(1, 0.8, true), c(2, 0.75, true), c(3, 0, false), c(4, 0.1, false)];
  const selection = selectPairs(samples, { margin: 0.1, pairsPerPrompt: 3 });
  assert.ok("pairs" in selection);
  // 0 vs 3, then 1 vs 4; 2 (0.75) has no unused sample at least 0.1 below it
  assert.deepEqual(selection.pairs.map(([x, y]) => [x.sample_index, y.sample_index]), [[0, 3], [1, 4]]);
});

test("ties in reward are broken by sample index, so the pairs are deterministic", () => {
  const selection = selectPairs([c(5, 1, true), c(2, 1, true), c(7, 0, false), c(3, 0, false)], settings);
  assert.ok("pairs" in selection);
  assert.deepEqual(selection.pairs.map(([x, y]) => [x.sample_index, y.sample_index]), [[2, 3]]);
});

test("buildPairs writes TRL's format with provenance and counts every dropped prompt", () => {
  const prompts = [
    { task_id: "t/ok", prompt: "P1" },
    { task_id: "t/fail", prompt: "P2" },
    { task_id: "t/tie", prompt: "P3" },
    { task_id: "t/none", prompt: "P4" },
  ];
  const candidates = new Map([
    ["t/ok", [c(0, 1, true), c(1, 0, false)]],
    ["t/fail", [c(0, 0, false), c(1, 0, false)]],
    ["t/tie", [c(0, 0.5, true), c(1, 0.5, true)]],
  ]);
  const { pairs, stats } = buildPairs(prompts, candidates, settings);
  assert.deepEqual(pairs, [
    { prompt: "P1", chosen: "tests 0", rejected: "tests 1", task_id: "t/ok", chosen_sample: 0, rejected_sample: 1, chosen_reward: 1, rejected_reward: 0 },
  ]);
  assert.deepEqual(stats, {
    prompts: 4,
    prompts_with_pairs: 1,
    pairs: 1,
    dropped: { no_samples: 1, all_invalid: 1, all_tie: 1, below_margin: 0, checks_unmatched: 0 },
    margin: 0.1,
    chosen_reward_mean: 1,
    rejected_reward_mean: 0,
    reward_gap_mean: 1,
    rejected_valid_rate: 0,
    pairs_by_type: { valid_vs_invalid: 1, valid_vs_valid: 0 },
    valid_pairs_per_prompt: 0,
    valid_margin: null,
    match_checks: false,
    chosen_checks_mean: null,
    rejected_checks_mean: null,
  });
});

const strength = { margin: 0.1, pairsPerPrompt: 1, validPairsPerPrompt: 2, validMargin: 0.15 };
const indices = (selection: ReturnType<typeof selectPairs>): number[][] => ("pairs" in selection ? selection.pairs.map(([x, y]) => [x.sample_index, y.sample_index]) : []);

test("valid-vs-valid pairs: the strongest valid file against the weakest valid one, beside the valid-vs-invalid pair", () => {
  // strength rewards 0.25 + 0.75 m: m = 1, 0.8, 0.4, 0.2 and two invalid files
  const samples = [c(0, 0.4, true), c(1, 1, true), c(2, 0, false), c(3, 0.85, true), c(4, 0.55, true), c(5, 0, false)];
  assert.deepEqual(indices(selectPairs(samples, strength)), [
    [1, 2], // validity: best valid against the worst (an invalid file)
    [1, 0], // strength: strongest against weakest valid
    [3, 4], // then the next: 0.85 - 0.55 = 0.3 >= 0.15
  ]);
  assert.deepEqual(indices(selectPairs(samples, { ...strength, validPairsPerPrompt: 0 })), [[1, 2]], "0 keeps today's pairs");
});

test("valid-vs-valid pairs need the margin, and a tie is never a pair even with a margin of 0", () => {
  assert.deepEqual(indices(selectPairs([c(0, 0.5, true), c(1, 0.6, true), c(2, 0, false)], strength)), [[1, 2]], "0.1 apart is below 0.15");
  const exact = selectPairs([c(0, 0.4, true), c(1, 0.55, true), c(2, 0, false)], strength);
  assert.deepEqual(indices(exact), [[1, 2], [1, 0]], "exactly the margin counts, despite rounding");
  const ties = [c(0, 0.7, true), c(1, 0.7, true), c(2, 0, false), c(3, 0, false)];
  assert.deepEqual(indices(selectPairs(ties, { ...strength, validMargin: 0 })), [[0, 2]]);
});

test("a valid-vs-valid pair that the first pairs already made is not made twice", () => {
  // every sample valid: the first pair is already 0 (best) against 1 (worst)
  assert.deepEqual(indices(selectPairs([c(0, 1, true), c(1, 0.25, true)], strength)), [[0, 1]]);
});

test("the same scores in another order give the same pairs, and stats count each type", () => {
  const samples = [c(0, 0.4, true), c(1, 1, true), c(2, 0, false), c(3, 0.85, true), c(4, 0.55, true), c(5, 0, false)];
  const prompts = [{ task_id: "t/a", prompt: "P" }];
  const forward = buildPairs(prompts, new Map([["t/a", samples]]), strength);
  const backward = buildPairs(prompts, new Map([["t/a", [...samples].reverse()]]), strength);
  assert.deepEqual(backward, forward);
  assert.deepEqual(forward.stats.pairs_by_type, { valid_vs_invalid: 1, valid_vs_valid: 2 });
  assert.equal(forward.stats.valid_margin, 0.15);
  assert.equal(forward.stats.rejected_valid_rate, 2 / 3);
});

const k = (sample_index: number, reward: number, valid: boolean, checks: number): Candidate => ({ ...c(sample_index, reward, valid), checks });

test("match_checks: the rejected side writes no more checks than the chosen, the closest count first", () => {
  // the valid file writes 2 checks; invalid ones write 5, 1 and 2
  const samples = [k(0, 0.8, true, 2), k(1, 0, false, 5), k(2, 0, false, 1), k(3, 0, false, 2)];
  assert.deepEqual(indices(selectPairs(samples, settings)), [[0, 1]], "without it: the worst by reward, then index, whatever its length");
  assert.deepEqual(indices(selectPairs(samples, { ...settings, matchChecks: true })), [[0, 3]]);
  const fewer = [k(0, 0.8, true, 2), k(1, 0, false, 5), k(2, 0, false, 1)];
  assert.deepEqual(indices(selectPairs(fewer, { ...settings, matchChecks: true })), [[0, 2]]);
});

test("match_checks: a prompt whose worse samples all write more checks is dropped as checks_unmatched and counted", () => {
  const samples = [k(0, 0.8, true, 1), k(1, 0, false, 3), k(2, 0, false, 4)];
  assert.deepEqual(selectPairs(samples, { ...settings, matchChecks: true }), { drop: "checks_unmatched" });
  const { stats } = buildPairs([{ task_id: "t/a", prompt: "P" }, { task_id: "t/b", prompt: "Q" }], new Map([
    ["t/a", samples],
    ["t/b", [k(0, 0.8, true, 3), k(1, 0, false, 3)]],
  ]), { ...settings, matchChecks: true });
  assert.equal(stats.dropped.checks_unmatched, 1);
  assert.deepEqual([stats.pairs, stats.match_checks, stats.chosen_checks_mean, stats.rejected_checks_mean], [1, true, 3, 3]);
});

test("match_checks leaves the valid-vs-valid pairs alone: a stronger file may write fewer checks", () => {
  const samples = [k(0, 1, true, 1), k(1, 0.4, true, 4), k(2, 0, false, 1)];
  assert.deepEqual(indices(selectPairs(samples, { ...strength, matchChecks: true })), [[0, 2], [0, 1]]);
});
