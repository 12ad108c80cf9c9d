import assert from "node:assert/strict";
import { test } from "node:test";
import { isRewardPreset, mutationReward, passRateReward, qualityReward, reward, REWARD_PRESETS, stagedReward, strengthReward, strongOnlyReward, strongReward, type RewardPreset } from "../../src/quality/rewards.js";
import { countTests, isValid, toScoredSample, type ScoredSample } from "../../src/quality/sample.js";
import { OUTCOMES, type ExecResult, type Outcome } from "../../src/sandbox/types.js";

function assertClose(actual: number | null, expected: number): void {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${String(actual)} is not ${expected}`);
}

function sample(status: Outcome, overrides: Partial<ScoredSample> = {}): ScoredSample {
  const ran = status === "passed" || status === "failed" || status === "error";
  const tests =
    status === "passed"
      ? { total: 4, passed: 4, failed: 0, error: 0, other: 0 }
      : status === "failed"
        ? { total: 4, passed: 3, failed: 1, error: 0, other: 0 }
        : status === "error"
          ? { total: 4, passed: 2, failed: 0, error: 2, other: 0 }
          : { total: 0, passed: 0, failed: 0, error: 0, other: 0 };
  return { status, tests, assertions: ran ? 5 : 0, static_assertions: 6, ...overrides };
}

// Hand-computed expectations for a file with checks written, per outcome (see docs/rewards.md).
// (strength: a valid file scored without mutants earns only its floor, 0.25; mutation has none)
const EXPECTED: Record<Outcome, Record<RewardPreset, number | null>> = {
  passed: { quality: 1, staged: 1, pass_rate: 1, strength: 0.25, mutation: 0, strong: 0, strong_only: 0 },
  failed: { quality: 0, staged: 0.3, pass_rate: 0.75, strength: 0, mutation: 0, strong: 0, strong_only: 0 },
  error: { quality: 0, staged: 0.3, pass_rate: 0.5, strength: 0, mutation: 0, strong: 0, strong_only: 0 },
  collection_error: { quality: 0, staged: 0.1, pass_rate: 0, strength: 0, mutation: 0, strong: 0, strong_only: 0 },
  syntax_error: { quality: 0, staged: 0, pass_rate: 0, strength: 0, mutation: 0, strong: 0, strong_only: 0 },
  no_tests: { quality: 0, staged: 0.1, pass_rate: 0, strength: 0, mutation: 0, strong: 0, strong_only: 0 },
  timeout: { quality: 0, staged: 0.1, pass_rate: 0, strength: 0, mutation: 0, strong: 0, strong_only: 0 },
  memory: { quality: 0, staged: 0.1, pass_rate: 0, strength: 0, mutation: 0, strong: 0, strong_only: 0 },
  crashed: { quality: 0, staged: 0, pass_rate: 0, strength: 0, mutation: 0, strong: 0, strong_only: 0 },
  rejected: { quality: 0, staged: 0, pass_rate: 0, strength: 0, mutation: 0, strong: 0, strong_only: 0 },
  sandbox_error: { quality: null, staged: null, pass_rate: null, strength: null, mutation: null, strong: null, strong_only: null },
};

test("every preset gives the hand-computed reward for every outcome", () => {
  for (const status of OUTCOMES) {
    const s = status === "syntax_error" ? sample(status, { static_assertions: null }) : sample(status);
    for (const preset of REWARD_PRESETS) {
      assert.equal(reward(preset, s), EXPECTED[status][preset], `${preset} on ${status}`);
    }
  }
});

test("a file that tests its own copy earns nothing under any preset", () => {
  const copy = sample("passed", { target: { shadowed: ["f"], uses_module: false }, mutation: { score: 1, total: 4, killed: 4 } });
  const ignoresModule = sample("passed", { target: { shadowed: [], uses_module: false } });
  for (const preset of REWARD_PRESETS) {
    assert.equal(reward(preset, copy), 0, preset);
    assert.equal(reward(preset, ignoresModule), 0, preset);
  }
  assert.equal(isValid(copy), false);
  assert.equal(isValid(sample("passed", { target: { shadowed: [], uses_module: true } })), true);
});

test("strong_only pays 1 for a strong file and nothing else: a weak valid file ties with an invalid one", () => {
  const valid = sample("passed");
  const killed = (k: number, total = 5) => strongOnlyReward({ ...valid, mutation: { score: k / total, total, killed: k } });
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((k) => killed(k)), [0, 0, 0, 0, 1, 1]);
  assert.equal(strongOnlyReward({ ...valid, mutation: { score: 7 / 9, total: 9, killed: 7 } }), 0, "0.78 is not strong");
  assert.equal(strongOnlyReward({ ...valid, mutation: { score: 0.8, total: 10, killed: 8 } }), 1, "0.8 exactly is strong");
  assert.equal(strongOnlyReward({ ...sample("failed"), mutation: { score: 1, total: 5, killed: 5 } }), 0, "an invalid file never earns");
  assert.equal(strongOnlyReward({ ...valid, mutation: { score: 0, total: 0, killed: 0 } }), 0, "no mutants: nothing is known to be caught");
  assert.equal(strongOnlyReward({ ...valid, static_assertions: 0, mutation: { score: 1, total: 5, killed: 5 } }), 0, "no check written");
  assert.equal(strongOnlyReward({ ...sample("sandbox_error") }), null);
});

test("strong pays mostly for reaching the strong threshold: a weak valid file earns little, an invalid one nothing", () => {
  const valid = sample("passed");
  const killed = (k: number, total = 5) => strongReward({ ...valid, mutation: { score: k / total, total, killed: k } });
  assertClose(killed(1), 0.2 * 0.2);
  assertClose(killed(3), 0.2 * 0.6);
  assertClose(killed(4), 0.2 * 0.8 + 0.8); // 4 of 5 is strong
  assert.equal(killed(5), 1);
  assertClose(strongReward({ ...valid, mutation: { score: 7 / 9, total: 9, killed: 7 } }), 0.2 * (7 / 9)); // 0.78: not strong
  // the weakest strong file out-earns the strongest weak one by far
  assert.ok((killed(4) as number) > 5 * (strongReward({ ...valid, mutation: { score: 0.79, total: 100, killed: 79 } }) as number));
  assert.equal(strongReward({ ...sample("failed"), mutation: { score: 1, total: 5, killed: 5 } }), 0);
  assert.equal(strongReward({ ...valid, mutation: { score: 0, total: 0, killed: 0 } }), 0, "no mutants: nothing is known to be caught");
  assert.equal(strongReward({ ...sample("sandbox_error") }), null);
});

test("strength pays the floor for validity and an equal share for each mutant killed", () => {
  const valid = sample("passed");
  assertClose(strengthReward({ ...valid, mutation: { score: 0.5, total: 8, killed: 4 } }), 0.25 + 0.75 * 0.5);
  assert.equal(strengthReward({ ...valid, mutation: { score: 0, total: 8, killed: 0 } }), 0.25);
  assert.equal(strengthReward({ ...valid, mutation: { score: 1, total: 8, killed: 8 } }), 1);
  // no mutant to kill: validity is all that is known
  assert.equal(strengthReward({ ...valid, mutation: { score: 0, total: 0, killed: 0 } }), 0.25);
  // an invalid file never beats a valid one, whatever it would have killed
  assert.equal(strengthReward({ ...sample("failed"), mutation: { score: 1, total: 8, killed: 8 } }), 0);
  // coverage is not paid for, nor the number of assertions run or written
  const base = { ...valid, mutation: { score: 0.5, total: 8, killed: 4 } };
  assert.equal(strengthReward({ ...base, coverage: { line: 1, branch: 1 }, assertions: 100, static_assertions: 100 }), strengthReward(base));
});

test("mutation pays exactly the mutation score of a valid file: no floor for validity alone", () => {
  const valid = sample("passed");
  assert.equal(mutationReward({ ...valid, mutation: { score: 0, total: 8, killed: 0 } }), 0, "a valid file that kills nothing earns nothing");
  assert.equal(mutationReward({ ...valid, mutation: { score: 0.375, total: 8, killed: 3 } }), 0.375);
  assert.equal(mutationReward({ ...valid, mutation: { score: 1, total: 8, killed: 8 } }), 1);
  // unmeasured or nothing to kill: nothing is known to be caught
  assert.equal(mutationReward(valid), 0);
  assert.equal(mutationReward({ ...valid, mutation: { score: 0, total: 0, killed: 0 } }), 0);
  // strength is the same shape with a floor: the two differ by exactly 0.25 + 0.75 m - m
  const half = { ...valid, mutation: { score: 0.5, total: 8, killed: 4 } };
  assertClose(strengthReward(half), 0.25 + 0.75 * (mutationReward(half) as number));
});

test("under mutation an invalid file never earns more than a valid one", () => {
  const killedAll = { score: 1, total: 8, killed: 8 };
  const invalid = [
    sample("failed", { mutation: killedAll }),
    sample("error", { mutation: killedAll }),
    sample("passed", { assertions: 0, mutation: killedAll }),
    sample("passed", { target: { shadowed: ["f"], uses_module: true }, mutation: killedAll }),
    sample("crashed", { mutation: killedAll }),
  ];
  const weakestValid = mutationReward({ ...sample("passed"), mutation: { score: 0, total: 8, killed: 0 } }) as number;
  for (const s of invalid) assert.ok((mutationReward(s) as number) <= weakestValid, `${s.status}: ${String(mutationReward(s))}`);
  assert.equal(mutationReward(sample("sandbox_error")), null);
});

test("mutation pays nothing for assertions, tests or coverage as such", () => {
  const base = { ...sample("passed"), mutation: { score: 0.5, total: 8, killed: 4 } };
  const longer = { ...base, coverage: { line: 1, branch: 1 }, assertions: 100, static_assertions: 100, tests: { total: 100, passed: 100, failed: 0, error: 0, other: 0 } };
  assert.equal(mutationReward(longer), mutationReward(base));
});

test("quality combines validity, mutation score and line coverage with fixed weights", () => {
  const valid = sample("passed");
  assertClose(qualityReward({ ...valid, mutation: { score: 0.5, total: 10, killed: 5 }, coverage: { line: 0.8, branch: 0.5 } }), 0.78);
  assert.equal(qualityReward({ ...valid, mutation: { score: 0, total: 10, killed: 0 }, coverage: { line: 0, branch: 0 } }), 0.5);
  assert.equal(qualityReward({ ...valid, mutation: { score: 1, total: 3, killed: 3 }, coverage: { line: 1, branch: 1 } }), 1);
});

test("quality moves the weight of an unmeasured part to the other one", () => {
  const valid = sample("passed");
  assert.equal(qualityReward({ ...valid, mutation: { score: 0.5, total: 10, killed: 5 } }), 0.75);
  assertClose(qualityReward({ ...valid, coverage: { line: 0.4, branch: 0 } }), 0.7);
  // no mutant could be made of the code: mutation was not measured
  assertClose(qualityReward({ ...valid, mutation: { score: 0, total: 0, killed: 0 }, coverage: { line: 0.4, branch: 0 } }), 0.7);
});

test("a passing file that asserts nothing earns nothing under every preset", () => {
  const noRuntimeAssert = sample("passed", { assertions: 0 });
  const noStaticAssert = sample("passed", { static_assertions: 0, assertions: 0 });
  for (const s of [noRuntimeAssert, noStaticAssert]) {
    for (const preset of REWARD_PRESETS) assert.equal(reward(preset, s), 0, preset);
  }
});

test("a failing file without any written check gets no stage credit", () => {
  const s = sample("failed", { static_assertions: 0, assertions: 0 });
  assert.equal(stagedReward(s), 0);
  assert.equal(stagedReward(sample("collection_error", { static_assertions: 0 })), 0);
});

test("invalid files earn no quality reward whatever their mutation score", () => {
  const failing = sample("failed", { mutation: { score: 1, total: 5, killed: 5 }, coverage: { line: 1, branch: 1 } });
  assert.equal(qualityReward(failing), 0);
});

test("pass_rate counts skipped tests in the denominator and is 0 when no assertion passed", () => {
  const withSkips = sample("failed", { tests: { total: 5, passed: 2, failed: 1, error: 0, other: 2 } });
  assert.equal(passRateReward(withSkips), 0.4);
  assert.equal(passRateReward(sample("failed", { assertions: 0 })), 0);
});

test("validity needs a passed status, a passing test, no failure and an assertion that ran", () => {
  assert.equal(isValid(sample("passed")), true);
  assert.equal(isValid(sample("passed", { assertions: 0 })), false);
  assert.equal(isValid(sample("passed", { tests: { total: 1, passed: 0, failed: 0, error: 0, other: 1 } })), false);
  assert.equal(isValid(sample("failed")), false);
});

test("countTests and toScoredSample read a sandbox result", () => {
  const result: ExecResult = {
    status: "failed",
    tests: [
      { nodeid: "t.py::a", outcome: "passed", duration_s: 0, message: "" },
      { nodeid: "t.py::b", outcome: "failed", duration_s: 0, message: "assert 1 == 2" },
      { nodeid: "t.py::c", outcome: "skipped", duration_s: 0, message: "" },
      { nodeid: "t.py::d", outcome: "xfailed", duration_s: 0, message: "" },
      { nodeid: "t.py::e", outcome: "error", duration_s: 0, message: "fixture" },
    ],
    assertions: 3,
    stdout: "",
    stderr: "",
    duration_s: 0.1,
    isolation: "none",
    detail: "",
    coverage: { line: 0.5, branch: 0.25, lines_total: 4, lines_covered: 2, branches_total: 4, branches_covered: 1, missing_lines: [3, 4] },
  };
  assert.deepEqual(countTests(result.tests), { total: 5, passed: 1, failed: 1, error: 1, other: 2 });
  assert.deepEqual(toScoredSample(result, 2), {
    status: "failed",
    tests: { total: 5, passed: 1, failed: 1, error: 1, other: 2 },
    assertions: 3,
    static_assertions: 2,
    coverage: { line: 0.5, branch: 0.25 },
  });
});

test("preset names are checked", () => {
  assert.equal(isRewardPreset("quality"), true);
  assert.equal(isRewardPreset("Quality"), false);
});
