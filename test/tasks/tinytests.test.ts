import assert from "node:assert/strict";
import { test } from "node:test";
import { TesttuneError } from "../../src/errors.js";
import { taskSchema } from "../../src/tasks/schema.js";
import { evaluateCalls } from "../../src/tasks/tinytests/evaluate-calls.js";
import { combinationsFor, generateTinyTests, splitOfCombination, TINY_TIERS } from "../../src/tasks/tinytests/index.js";
import { pytestExitCodes } from "./pytest-batch.js";

test("the same seed gives the same tasks; another seed gives others", async () => {
  const a = await generateTinyTests({ seed: 7, trainCount: 15, evalCount: 5 });
  const b = await generateTinyTests({ seed: 7, trainCount: 15, evalCount: 5 });
  const c = await generateTinyTests({ seed: 8, trainCount: 15, evalCount: 5 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(
    a.map((t) => t.code),
    c.map((t) => t.code),
  );
});

test("tasks carry ids, splits, tiers round-robin, and validate against the Task schema", async () => {
  const tasks = await generateTinyTests({ seed: 1, trainCount: 10, evalCount: 5, tiers: [2, 4] });
  assert.equal(tasks.length, 15);
  assert.deepEqual(
    tasks.map((t) => t.split),
    [...Array(10).fill("train"), ...Array(5).fill("eval")],
  );
  assert.equal(tasks[0]?.id, "tinytests/t2-000000");
  assert.equal(tasks[1]?.id, "tinytests/t4-000001");
  assert.equal(tasks[10]?.id, "tinytests/t2-000010");
  assert.deepEqual(new Set(tasks.map((t) => t.category)), new Set(["branches", "strings-lists"]));
  assert.equal(new Set(tasks.map((t) => t.code)).size, tasks.length, "no duplicate modules");
  for (const task of tasks) {
    assert.deepEqual(taskSchema.parse(task), task);
    assert.equal(task.module, "solution");
    assert.ok(task.entry_points.length >= 1);
    for (const name of task.entry_points) assert.match(task.code, new RegExp(`^def ${name}\\(`, "m"));
    assert.match(task.tests ?? "", new RegExp(`^from solution import ${task.entry_points.join(", ")}$`, "m"));
  }
});

test("tier 5 modules define a helper and a function that calls it, and test both", async () => {
  const tasks = await generateTinyTests({ seed: 4, trainCount: 3, evalCount: 1, tiers: [5] });
  for (const task of tasks) {
    const [helper, outer] = task.entry_points;
    assert.ok(helper !== undefined && outer !== undefined);
    assert.match(task.code, new RegExp(`def ${outer}\\([^)]*\\):[\\s\\S]*${helper}\\(`));
    assert.match(task.tests ?? "", new RegExp(`def test_${helper}\\(`));
    assert.match(task.tests ?? "", new RegExp(`def test_${outer}\\(`));
  }
});

test("train and eval never share a (template, variant) structure", async () => {
  for (const tier of TINY_TIERS) {
    const train = new Set(combinationsFor(tier, "train").map((c) => c.key));
    const evalKeys = combinationsFor(tier, "eval").map((c) => c.key);
    assert.ok(evalKeys.length > 0, `tier ${tier.tier} has eval structures`);
    for (const key of evalKeys) assert.ok(!train.has(key), key);
    // every template still appears in train, so eval recombines known parts
    for (const template of tier.templates) assert.ok([...train].some((k) => k.startsWith(`t${tier.tier}:${template.name}:`)), template.name);
  }
  assert.equal(splitOfCombination(0, 0), "eval");
  assert.equal(splitOfCombination(1, 1), "train");
  assert.equal(splitOfCombination(2, 4), "eval");
  const tasks = await generateTinyTests({ seed: 3, trainCount: 40, evalCount: 20 });
  const trainStructures = new Set(tasks.filter((t) => t.split === "train").map((t) => t.metadata.structure));
  for (const task of tasks.filter((t) => t.split === "eval")) assert.ok(!trainStructures.has(task.metadata.structure), String(task.metadata.structure));
});

test("every reference test file passes on its own function under pytest", async () => {
  const tasks = await generateTinyTests({ seed: 11, trainCount: 40, evalCount: 20 });
  const codes = await pytestExitCodes(tasks.map((t) => ({ code: t.code, tests: t.tests ?? "", module: t.module })));
  const failing = tasks.filter((_, i) => codes[i] !== 0).map((t) => t.id);
  assert.deepEqual(failing, []);
  assert.ok(tasks.some((t) => t.tests?.includes("pytest.raises(")), "some tests check a raise");
  assert.ok(tasks.some((t) => t.tests?.includes("@pytest.mark.parametrize(")), "some tests are parametrized");
});

test("bad options are rejected with the field named", async () => {
  await assert.rejects(generateTinyTests({ seed: 1, trainCount: 1, evalCount: 0, tiers: [9] }), (e: unknown) => e instanceof TesttuneError && /tiers/.test(e.message) && /1 to 5/.test(e.message));
  await assert.rejects(generateTinyTests({ seed: 1, trainCount: -1, evalCount: 0 }), (e: unknown) => e instanceof TesttuneError && /trainCount/.test(e.message));
  await assert.rejects(generateTinyTests({ seed: 1.5, trainCount: 1, evalCount: 0 }), (e: unknown) => e instanceof TesttuneError && /seed/.test(e.message));
});

test("a batch of calls whose answer is larger than a subprocess's default output tail is read whole", async () => {
  // 3,000 modules, each answer over 500 characters: ~1.7 MB of JSON, over run()'s 1 MB tail.
  const items = Array.from({ length: 3000 }, (_, i) => ({ code: `def f(n):\n    return "${String(i % 10)}" * n\n`, calls: ["f(500)", "f(-1)"] }));
  const outcomes = await evaluateCalls(items);
  assert.equal(outcomes.length, items.length);
  assert.deepEqual(outcomes[2999]?.calls[0], { ok: true, repr: `'${"9".repeat(500)}'`, literal: true });
  assert.deepEqual(outcomes[0]?.calls[1], { ok: true, repr: "''", literal: true });
});
