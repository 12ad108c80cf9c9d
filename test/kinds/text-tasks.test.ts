/**
 * docstring and explain tasks from source tasks: the function's own docstring as the target,
 * Google docstrings and explanations written from a description and the reference tests, each
 * reference checked by its kind, every left-out task counted by reason; and `data prepare
 * --kinds` on the corpus fixture through the command line.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { kindOf } from "../../src/kinds/index.js";
import { functionFacts } from "../../src/kinds/python-function.js";
import { textKindTasks } from "../../src/kinds/text-tasks.js";
import { SandboxPool } from "../../src/sandbox/pool.js";
import { taskSchema, type Task } from "../../src/tasks/schema.js";
import { packageRoot } from "../../src/util/paths.js";
import { run } from "../../src/util/subprocess.js";
import { fixture, scratch } from "../tasks/fixtures.js";

const source = (id: string, fields: Partial<Task>): Task => taskSchema.parse({ id, source: "test", code: "x = 1\n", split: "train", ...fields });

const DOCUMENTED = source("t/documented", {
  code: 'import math\n\n\ndef norm(x, y):\n    """Length of the vector (x, y).\n\n    Uses math.hypot, which avoids overflow.\n    """\n    return math.hypot(x, y)\n',
  entry_points: ["norm"],
});
const DESCRIBED = source("t/described", {
  code: "def double(x):\n    return x * 2\n\n\ndef twice_all(xs):\n    return [double(x) for x in xs]\n",
  entry_points: ["double", "twice_all"],
  description: "double(x): Return x times 2.\ntwice_all(xs): Return a new list with every number of xs doubled.",
  tests: "from solution import double, twice_all\n\n\ndef test_twice_all():\n    assert twice_all([1, 2]) == [2, 4]\n    assert twice_all([]) == []\n",
});
const BARE = source("t/bare", { code: "def f(a):\n    return a\n", entry_points: ["f"] });
const ONLY_DOC = source("t/only-doc", { code: 'def g():\n    """Nothing else."""\n', entry_points: ["g"] });
const TERSE = source("t/terse", { code: 'def h(a):\n    """Id."""\n    return a\n', entry_points: ["h"] });

let pool: SandboxPool;
before(async () => {
  pool = await SandboxPool.start({ workers: 2, memoryMb: 256, defaultTimeoutS: 15 }); // generous: no honest run may time out on a loaded machine
});
after(async () => {
  await pool.close();
});

test("a function's own docstring is the docstring target, and the prompt's code no longer has it", async () => {
  const { byKind } = await textKindTasks([DOCUMENTED], ["docstring"], { executor: pool });
  const made = byKind.docstring.get("t/documented");
  assert.ok(made !== undefined);
  assert.deepEqual([made.id, made.kind, made.metadata["function"], made.split], ["t/documented/docstring", "docstring", "norm", "train"]);
  assert.equal(made.answer, '"""Length of the vector (x, y).\n\nUses math.hypot, which avoids overflow.\n"""');
  assert.equal(made.given, "import math\n\n\ndef norm(x, y):\n    return math.hypot(x, y)\n");
  assert.equal(made.code, DOCUMENTED.code);
  // not Google style (no Args:): kept, as the source's own answer, and its check says so
  const check = await kindOf(made).check(made, made.answer as string, { executor: pool });
  assert.equal(check.outcome, "args_mismatch");
});

test("without a docstring, a Google docstring is written from the description and the tests, inserted into code, and its examples pass", async () => {
  const { byKind, counts } = await textKindTasks([DESCRIBED], ["docstring", "explain"], { executor: pool });
  const doc = byKind.docstring.get("t/described");
  assert.ok(doc !== undefined);
  assert.equal(doc.metadata["function"], "twice_all"); // the last entry point: helpers come first
  assert.equal(doc.given, DESCRIBED.code);
  assert.equal(
    doc.answer,
    '"""Return a new list with every number of xs doubled.\n\nArgs:\n    xs (list[int]): A list of integers.\n\nReturns:\n    list[int]: The result described above.\n\nExamples:\n    >>> twice_all([1, 2])\n    [2, 4]\n    >>> twice_all([])\n    []\n"""',
  );
  const facts = await functionFacts(doc.code, "twice_all");
  assert.equal(facts?.docstring?.split("\n")[0], "Return a new list with every number of xs doubled.");
  const explain = byKind.explain.get("t/described");
  assert.equal(
    explain?.answer,
    "Purpose: Return a new list with every number of xs doubled.\nParameters: `xs` (list[int]).\nBehaviour: For example, `twice_all([1, 2])` returns `[2, 4]`. For example, `twice_all([])` returns `[]`.",
  );
  assert.deepEqual(counts.docstring, { made: 1, dropped: {}, reference_passed: 1, reference_unchecked: 0 });
  assert.deepEqual(counts.explain, { made: 1, dropped: {}, reference_passed: 1, reference_unchecked: 0 });
});

test("a written docstring whose example is wrong is dropped with the check's outcome", async () => {
  const wrong = { ...DESCRIBED, id: "t/wrong", tests: "def test_it():\n    assert twice_all([1]) == [3]\n" };
  const { counts } = await textKindTasks([wrong], ["docstring"], { executor: pool });
  assert.deepEqual(counts.docstring.dropped, { "reference docstring fails its check (doctest_failed)": 1 });
});

test("every task a text kind cannot be made from is counted by its reason", async () => {
  const { counts, byKind } = await textKindTasks([BARE, ONLY_DOC, TERSE, source("t/none", { code: "def k(:\n", entry_points: ["k"] })], ["docstring", "explain"], {});
  assert.deepEqual(counts.docstring.dropped, { "no docstring and no description": 1, "body is only a docstring": 1, "the function is not in its code (or the code does not parse)": 1 });
  assert.deepEqual([...byKind.docstring.keys()], ["t/terse"]);
  assert.deepEqual(counts.explain.dropped, {
    "not documented (no docstring, no description)": 1,
    "reference explain fails its check (too_short)": 2,
    "the function is not in its code (or the code does not parse)": 1,
  });
});

test("data prepare --kinds on a Python corpus: counts per kind and reason, tasks and SFT rows of each kind", async () => {
  const out = scratch();
  const cli = await run(process.execPath, [join(packageRoot, "dist", "src", "cli", "main.js"), "data", "prepare", "--source", "corpus", "--input", fixture("corpus"), "--out", out, "--eval-fraction", "0", "--kinds", "unit_test,solve,docstring,explain"], { timeoutMs: 120_000 });
  assert.equal(cli.exitCode, 0, cli.stderr);
  assert.match(cli.stdout, /\n  kind unit_test: 4 tasks\n  kind solve: 0 tasks; not made: 4 no reference tests\n  kind docstring: 4 tasks \(reference passes its check: 0\)\n  kind explain: 1 tasks \(reference passes its check: 1\); not made: 3 reference explain fails its check \(too_short\)\n/);
  const tasks = readFileSync(join(out, "tasks.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Task);
  assert.deepEqual(tasks.map((t) => t.kind ?? "unit_test").sort(), ["docstring", "docstring", "docstring", "docstring", "explain", "unit_test", "unit_test", "unit_test", "unit_test"]);
  const sft = readFileSync(join(out, "sft.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { task_id: string; prompt: string; completion: string });
  assert.equal(sft.length, 5); // the corpus has no reference tests: only the text kinds have targets
  const stats = JSON.parse(readFileSync(join(out, "stats.json"), "utf8")) as { kinds: Record<string, { made: number }> };
  assert.equal(stats.kinds["docstring"]?.made, 4);
  const wrong = await run(process.execPath, [join(packageRoot, "dist", "src", "cli", "main.js"), "data", "prepare", "--source", "corpus", "--input", fixture("corpus"), "--out", scratch(), "--kinds", "docstrings"], { timeoutMs: 60_000 });
  assert.equal(wrong.exitCode, 1);
  assert.match(wrong.stderr, /^error: --kinds: unknown kind\(s\) docstrings\nHINT: the kinds are unit_test, solve, complete, bugfix, docstring, explain/);
});

test("a written docstring goes in at the body's own indentation (tabs, two spaces); a body on the def line gives none", async () => {
  const tabbed = source("t/tabbed", { code: "def inc(n):\n\tm = n + 1\n\treturn m\n", entry_points: ["inc"], description: "Return n plus one.", tests: "def test_inc():\n    assert inc(1) == 2\n" });
  const two = source("t/two", { code: "def inc(n):\n  return n + 1\n", entry_points: ["inc"], description: "Return n plus one.", tests: "def test_inc():\n    assert inc(1) == 2\n" });
  const oneLine = source("t/one-line", { code: "def inc(n): return n + 1\n", entry_points: ["inc"], description: "Return n plus one." });
  const { byKind, counts } = await textKindTasks([tabbed, two, oneLine], ["docstring"], { executor: pool });
  assert.ok(byKind.docstring.get("t/tabbed")?.code.startsWith('def inc(n):\n\t"""Return n plus one.\n\n\tArgs:\n\t    n (int): An integer.\n'));
  assert.ok(byKind.docstring.get("t/two")?.code.startsWith('def inc(n):\n  """Return n plus one.\n'));
  assert.deepEqual(counts.docstring.dropped, { "body on the def line": 1 });
  assert.equal(counts.docstring.reference_passed, 2); // both modules parse and their examples pass
});

test("a result's repr is told from its literal only where Python would print it the same way", async () => {
  const { reprOf, literalType } = await import("../../src/kinds/function-doc.js");
  assert.deepEqual(["3", '"abc"', "'a b'", "[1,2]", "(4,)", "(1,2)", "2.5", "2.50", "{1, 2}", "x + 1", '"it\'s"'].map(reprOf), ["3", "'abc'", "'a b'", "[1, 2]", "(4,)", "(1, 2)", "2.5", undefined, undefined, undefined, undefined]);
  assert.deepEqual(["-3", "[1, 2]", "[]", "['a']", "True", "x"].map(literalType), ["int", "list[int]", "list", "list[str]", "bool", undefined]);
});
