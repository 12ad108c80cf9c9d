/**
 * The strength reward and what it rests on, in the real sandbox: validity that means the code
 * under test was tested, mutants left out when the probe cannot tell them from the reference,
 * and no reward for repeating an assertion.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { mutantSets, sampleMutants } from "../../src/quality/mutant-sets.js";
import { scoreCompletions } from "../../src/quality/score.js";
import { SandboxPool } from "../../src/sandbox/pool.js";
import type { MutantSource } from "../../src/sandbox/types.js";
import { taskSchema } from "../../src/tasks/schema.js";

let pool: SandboxPool;
before(async () => {
  pool = await SandboxPool.start({ workers: 2, defaultTimeoutS: 10 });
});
after(async () => {
  await pool.close();
});

const strength = { reward: "strength" as const, mutants: true, coverage: false };

// HumanEval/62: prompt + canonical solution, as `testtune data prepare --source humaneval` makes it
const derivative = taskSchema.parse({
  id: "humaneval/62",
  source: "humaneval",
  entry_points: ["derivative"],
  code: 'def derivative(xs: list):\n    """ xs represent coefficients of a polynomial. Return derivative of this polynomial in the same form."""\n    return [(i * x) for i, x in enumerate(xs)][1:]\n',
});

test("a file that defines its own derivative and tests it is not valid (HumanEval/62, as SmolLM2 wrote it)", async () => {
  const copy = "def derivative(xs: list):\n    return [(i * x) for i, x in enumerate(xs)][1:]\n\ndef test_derivative():\n    assert derivative([3, 1, 2, 4, 5]) == [1, 4, 12, 20]\n    assert derivative([1, 2, 3]) == [2, 6]\n";
  const importedThenRedefined = `from solution import derivative\n\n${copy}`;
  const monkeypatched = "import solution\n\ndef test_d(monkeypatch):\n    monkeypatch.setattr(solution, 'derivative', lambda xs: [2, 6])\n    assert solution.derivative([1, 2, 3]) == [2, 6]\n";
  const records = await scoreCompletions([copy, importedThenRedefined, monkeypatched].map((completion) => ({ task: derivative, completion })), pool, strength);
  for (const rec of records) {
    assert.equal(rec.status, "passed", "its tests pass: only the target check makes it invalid");
    assert.equal(rec.valid, false);
    assert.equal(rec.reward, 0);
    assert.match(rec.invalid_reason ?? "", /tests its own derivative/);
    assert.equal(rec.mutation, undefined, "a copy's mutants are not run");
  }
});

test("helpers, fixtures, parametrize and HumanEval's check(candidate) stay valid", async () => {
  const files = [
    "import pytest\nfrom solution import derivative\n\ndef poly(*xs):\n    return list(xs)\n\n@pytest.fixture\ndef cubic():\n    return poly(1, 2, 3, 4)\n\ndef test_cubic(cubic):\n    assert derivative(cubic) == [2, 6, 12]\n",
    "import pytest\nimport solution\n\n@pytest.mark.parametrize('xs, out', [([1], []), ([1, 2], [2]), ([0, 0, 5], [0, 10])])\ndef test_p(xs, out):\n    assert solution.derivative(xs) == out\n",
    "from solution import *\n\ndef check(candidate):\n    assert candidate([3, 1, 2, 4, 5]) == [1, 4, 12, 20]\n    assert candidate([1]) == []\n\ndef test_check():\n    check(derivative)\n",
  ];
  const records = await scoreCompletions(files.map((completion) => ({ task: derivative, completion })), pool, strength);
  for (const rec of records) {
    assert.equal(rec.valid, true, rec.detail);
    assert.equal(rec.invalid_reason, undefined);
    assert.ok((rec.reward ?? 0) > 0.25, "and kill mutants");
  }
});

test("a file repeating one assertion a hundred times earns no more than the file with it once", async () => {
  const once = "from solution import derivative\n\ndef test_d():\n    assert derivative([1, 2, 3]) == [2, 6]\n";
  const hundred = `from solution import derivative\n\ndef test_d():\n${"    assert derivative([1, 2, 3]) == [2, 6]\n".repeat(100)}`;
  const hundredTests = `from solution import derivative\n\n${Array.from({ length: 100 }, (_, i) => `def test_d${i}():\n    assert derivative([1, 2, 3]) == [2, 6]\n`).join("\n")}`;
  const [a, b, c] = await scoreCompletions([once, hundred, hundredTests].map((completion) => ({ task: derivative, completion })), pool, strength);
  assert.ok(a?.valid === true && b?.valid === true && c?.valid === true);
  assert.equal(b?.assertions, 100, "the sandbox ran all hundred");
  assert.equal(b?.distinct_assertions, 1);
  assert.equal(c?.distinct_inputs, 1);
  assert.ok((b?.reward as number) <= (a?.reward as number));
  assert.ok((c?.reward as number) <= (a?.reward as number));
  // the same under the floor-less preset, which pays the mutation score alone, and under `strong`
  for (const reward of ["mutation", "strong"] as const) {
    const records = await scoreCompletions([once, hundred, hundredTests].map((completion) => ({ task: derivative, completion })), pool, { ...strength, reward });
    const [onceScore, ...repeated] = records.map((r) => r.reward as number);
    assert.ok((onceScore as number) > 0, `${reward}: the single assertion kills a mutant`);
    for (const r of repeated) assert.ok(r <= (onceScore as number), reward);
  }
  // under `strong_only` the three kill the same mutants, so they are strong together or not at all
  const onlyStrong = await scoreCompletions([once, hundred, hundredTests].map((completion) => ({ task: derivative, completion })), pool, { ...strength, reward: "strong_only" });
  const [onceOnly, ...repeatedOnly] = onlyStrong.map((r) => r.reward);
  assert.ok(onceOnly === 0 || onceOnly === 1);
  assert.deepEqual(repeatedOnly, [onceOnly, onceOnly]);
});

// `x < 0` -> `x <= 0` and `x < 0` -> `x < 1` return the same for every int: likely equivalent
const clamp = taskSchema.parse({
  id: "clamp",
  source: "test",
  entry_points: ["clamp_low"],
  code: "def clamp_low(x):\n    if x < 0:\n        return 0\n    return x\n",
  tests: "from solution import clamp_low\n\ndef test_c():\n    assert clamp_low(-3) == 0\n    assert clamp_low(4) == 4\n",
});

test("likely-equivalent mutants are left out, so they never count against a test", async () => {
  const lookup = await mutantSets([clamp], pool);
  const set = await lookup(clamp);
  assert.ok(set !== null && set.probed);
  assert.equal(set.generated, 7);
  assert.deepEqual(
    set.mutants.map((m) => m.operator).filter((op) => op.startsWith("compare")),
    [],
    "the only compare mutant (< to <=) is equivalent on ints",
  );
  assert.ok(set.equivalent >= 1);
  // a file that catches every fault a test could catch scores 100%
  const thorough = "from solution import clamp_low\n\ndef test_c():\n    assert clamp_low(-1) == 0\n    assert clamp_low(-5) == 0\n    assert clamp_low(0) == 0\n    assert clamp_low(3) == 3\n";
  const [rec] = await scoreCompletions([{ task: clamp, completion: thorough }], pool, strength);
  assert.deepEqual(rec?.mutation, { score: 1, total: set.mutants.length, killed: set.mutants.length, equivalent: set.equivalent });
  assert.equal(rec?.reward, 1);
});

test("mutants in a public helper beside the entry point are probed too, through the helper (HumanEval/50's encode_shift)", async () => {
  const shift = taskSchema.parse({
    id: "shift",
    source: "test",
    entry_points: ["decode"],
    code: 'def encode(s):\n    return "".join(chr(ord(c) + 1) for c in s)\n\n\ndef decode(s):\n    return "".join(chr(ord(c) - 1) for c in s)\n',
    tests: "from solution import *\n\ndef test_round_trip():\n    assert decode(encode('abc')) == 'abc'\n",
  });
  const set = await (await mutantSets([shift], pool))(shift);
  assert.ok(set !== null && set.probed);
  assert.equal(set.equivalent, 0, "every mutant of either function changes an output");
});

test("mutants in a class or in module data, which calls do not probe, are never left out", async () => {
  const boxed = taskSchema.parse({
    id: "box",
    source: "test",
    entry_points: ["area"],
    code: "LIMIT = 10\n\nclass Box:\n    def size(self):\n        return LIMIT + 1\n\n\ndef area(x):\n    return x * 3\n",
    tests: "from solution import area\n\ndef test_a():\n    assert area(2) == 6\n",
  });
  const set = await (await mutantSets([boxed], pool))(boxed);
  assert.ok(set !== null && set.probed);
  assert.equal(set.equivalent, 0);
});

test("a task whose reference is not deterministic keeps all its mutants", async () => {
  // random.random(), not random.randint(1, n): the probe's ints are small (1, 2, 3, 4, 6...), and
  // with randint the reference gave equal answers on every one of them about once in 144 runs
  const random = taskSchema.parse({ id: "rnd", source: "test", entry_points: ["roll"], code: "import random\n\ndef roll(n):\n    return random.random() * n + 0\n" });
  const set = await (await mutantSets([random], pool))(random);
  assert.ok(set !== null);
  assert.equal(set.probed, false);
  assert.equal(set.equivalent, 0);
  assert.equal(set.mutants.length, set.generated);
});

test("training samples mutants with a seed: the same seed the same mutants, in id order, over every family", () => {
  const mutants: MutantSource[] = Array.from({ length: 12 }, (_, i) => ({ id: i, operator: `${["compare", "arith", "constant"][i % 3] as string}:x`, line: 1, source: "" }));
  const a = sampleMutants(mutants, 4, "1234:0:t");
  assert.deepEqual(a, sampleMutants(mutants, 4, "1234:0:t"));
  assert.equal(a.length, 4);
  assert.deepEqual(a.map((m) => m.id), [...a.map((m) => m.id)].sort((x, y) => x - y));
  assert.deepEqual(new Set(a.map((m) => m.operator)), new Set(["compare:x", "arith:x", "constant:x"]));
  const steps = Array.from({ length: 8 }, (_, step) => sampleMutants(mutants, 4, `1234:${step}:t`).map((m) => m.id).join(","));
  assert.ok(new Set(steps).size > 1, "different steps draw different samples");
  assert.equal(sampleMutants(mutants, 20, "s"), mutants, "a sample as large as the set is the set");
});
