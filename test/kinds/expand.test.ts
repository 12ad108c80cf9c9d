/**
 * Tasks of each kind from source tasks: solve from descriptions (or docstrings), complete from
 * the signatures and docstrings, bugfix with a seeded bug the reference tests kill (real
 * sandbox), and the counts of what each kind left out.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ConfigError } from "../../src/errors.js";
import { bugCandidates } from "../../src/kinds/bugs.js";
import { checkKinds, expandKinds } from "../../src/kinds/expand.js";
import { kindOf } from "../../src/kinds/index.js";
import { SandboxPool } from "../../src/sandbox/pool.js";
import { taskSchema, type Task } from "../../src/tasks/schema.js";
import { generateTinyTests } from "../../src/tasks/tinytests/index.js";

const HUMANEVAL_LIKE: Task = taskSchema.parse({
  id: "he/1",
  source: "humaneval",
  code: 'def below(xs, limit):\n    """Return True if every number in xs is below limit."""\n    for x in xs:\n        if x >= limit:\n            return False\n    return True\n',
  entry_points: ["below"],
  tests: "from solution import below\n\n\ndef test_below():\n    assert below([1, 2], 3) is True\n    assert below([1, 3], 3) is False\n    assert below([], 0) is True\n",
});
const NO_TESTS: Task = taskSchema.parse({ id: "x/2", source: "corpus", code: "def f():\n    return 1\n", entry_points: ["f"] });

let pool: SandboxPool;
before(async () => {
  pool = await SandboxPool.start({ workers: 2, defaultTimeoutS: 15 });
});
after(async () => {
  await pool.close();
});

test("unit_test keeps the source task as it was; solve takes the description, else the docstring", async () => {
  const { tasks, counts } = await expandKinds([HUMANEVAL_LIKE, NO_TESTS], ["unit_test", "solve"], { seed: 1 });
  assert.deepEqual(tasks.map((t) => t.id), ["he/1", "he/1/solve", "x/2"]);
  assert.equal(tasks[0], HUMANEVAL_LIKE);
  const solve = tasks[1] as Task;
  assert.equal(solve.kind, "solve");
  assert.equal(solve.description, "Return True if every number in xs is below limit.");
  assert.deepEqual(counts.solve, { made: 1, dropped: { "no reference tests": 1 } });
  assert.match(kindOf(solve).instruction(solve), /### Signatures\ndef below\(xs, limit\):/);
});

test("complete shows the signature and docstring without the body, and the reference passes its check", async () => {
  const { tasks } = await expandKinds([HUMANEVAL_LIKE], ["complete"], { seed: 1 });
  const t = tasks[0] as Task;
  assert.equal(t.given, 'def below(xs, limit):\n    """Return True if every number in xs is below limit."""\n');
  const kind = kindOf(t);
  const body = "    return all(x < limit for x in xs)\n";
  assert.equal((await kind.check(t, kind.extract(body, t), { executor: pool })).outcome, "passed");
  assert.equal((await kind.check(t, kind.extract(t.given as string, t), { executor: pool })).passed, false);
});

test("bugfix: a seeded bug the reference tests kill; the same seed gives the same bug; an echo fails", async () => {
  const first = await expandKinds([HUMANEVAL_LIKE, NO_TESTS], ["bugfix"], { seed: 7, executor: pool });
  const again = await expandKinds([HUMANEVAL_LIKE], ["bugfix"], { seed: 7, executor: pool });
  const t = first.tasks[0] as Task;
  assert.equal(t.id, "he/1/bugfix");
  assert.notEqual(t.given, t.code);
  assert.deepEqual(again.tasks[0]?.given, t.given);
  const bug = t.metadata.bug as { operator: string; line: number };
  assert.equal(typeof bug.operator, "string");
  assert.ok(bug.line >= 1);
  assert.deepEqual(first.counts.bugfix?.dropped, { "no reference tests": 1 });
  const kind = kindOf(t);
  const echo = await kind.check(t, kind.extract(`\`\`\`python\n${t.given}\`\`\``, t), { executor: pool });
  assert.equal(echo.passed, false);
  const fixed = await kind.check(t, kind.extract(`\`\`\`python\n${t.code}\`\`\``, t), { executor: pool });
  assert.equal(fixed.passed, true);
});

test("bugfix drops a task whose reference tests catch none of its bugs, and needs the sandbox", async () => {
  const weak = taskSchema.parse({ ...HUMANEVAL_LIKE, id: "he/weak", tests: "from solution import below\n\n\ndef test_runs():\n    below([], 0)\n" });
  const { tasks, counts } = await expandKinds([weak], ["bugfix"], { seed: 7, executor: pool });
  assert.equal(tasks.length, 0);
  assert.deepEqual(counts.bugfix?.dropped, { "the reference tests kill none of the injected bugs": 1 });
  await assert.rejects(expandKinds([weak], ["bugfix"], { seed: 7 }), ConfigError);
});

test("bug candidates are a seeded order of at most six", () => {
  const bugs = Array.from({ length: 10 }, (_, id) => ({ id, operator: "compare:== -> !=", line: 1, source: `x = ${id}\n` }));
  const a = bugCandidates({ id: "t" }, bugs, 1).map((b) => b.id);
  assert.deepEqual(bugCandidates({ id: "t" }, bugs, 1).map((b) => b.id), a);
  assert.equal(a.length, 6);
  assert.notDeepEqual(bugCandidates({ id: "t" }, bugs, 2).map((b) => b.id), a);
});

test("every TinyTests task has a description, and solve tasks are made from all of them", async () => {
  const tiny = await generateTinyTests({ seed: 3, trainCount: 30, evalCount: 10 });
  assert.ok(tiny.every((t) => t.description !== undefined && t.entry_points.every((e) => (t.description as string).includes(`${e}(`))));
  const { tasks } = await expandKinds(tiny, ["solve"], { seed: 3 });
  assert.equal(tasks.length, tiny.length);
  // the reference code passes its own solve check (a sample of tasks, one per tier)
  for (const t of tasks.filter((_, i) => i % 8 === 0)) {
    const kind = kindOf(t);
    const check = await kind.check(t, kind.extract(t.code, t), { executor: pool });
    assert.equal(check.outcome, "passed", `${t.id}: ${JSON.stringify(check.details)}`);
  }
});

test("unknown kinds in a list are a config error naming the field", () => {
  assert.deepEqual(checkKinds(["solve", "solve", "bugfix"], { file: "--kinds", field: "" }), ["solve", "bugfix"]);
  assert.throws(() => checkKinds(["solve", "poem"], { file: "--kinds", field: "" }), (e: unknown) => e instanceof ConfigError && /poem/.test(e.message));
  assert.throws(() => checkKinds([], { file: "--kinds", field: "" }), ConfigError);
});
