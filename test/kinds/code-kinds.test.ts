/**
 * The code-writing kinds' checks in the real sandbox: answers that must pass, answers that
 * must fail with their taxonomy outcome, and answers that game the reference tests.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { kindOf } from "../../src/kinds/index.js";
import { extractCode, guardedTests, signatureOf } from "../../src/kinds/code-answer.js";
import { SandboxPool } from "../../src/sandbox/pool.js";
import { taskSchema, type Task } from "../../src/tasks/schema.js";
import type { KindCheck } from "../../src/kinds/kind.js";

const CODE = "def evens(xs):\n    return [x for x in xs if x % 2 == 0]\n";
const TESTS = [
  "from solution import evens",
  "",
  "def test_some():",
  "    assert evens([1, 2, 3, 4]) == [2, 4]",
  "",
  "def test_none():",
  "    assert evens([1, 3]) == []",
  "",
  "def test_len():",
  "    assert len(evens([2, 2])) == 2",
  "",
].join("\n");

const task = (kind: "solve" | "complete" | "bugfix", extra: Partial<Task> = {}): Task =>
  taskSchema.parse({ id: `t/${kind}`, source: "test", kind, code: CODE, entry_points: ["evens"], tests: TESTS, description: "Return the even numbers of xs, in order.", ...extra });

let pool: SandboxPool;
before(async () => {
  // a generous limit, so that no honest run times out on a loaded machine; the loop case sets its own
  pool = await SandboxPool.start({ workers: 2, memoryMb: 256, defaultTimeoutS: 15 });
});
after(async () => {
  await pool.close();
});

async function check(answer: string, t: Task = task("solve"), timeoutS?: number): Promise<KindCheck> {
  const kind = kindOf(t);
  return kind.check(t, kind.extract(answer, t), { executor: pool, ...(timeoutS === undefined ? {} : { timeoutS }) });
}

test("a correct solution passes with score 1; another correct form passes too", async () => {
  const a = await check(`\`\`\`python\n${CODE}\`\`\``);
  assert.deepEqual([a.passed, a.score, a.outcome, a.compiled], [true, 1, "passed", true]);
  const b = await check("def evens(xs):\n    out = []\n    for x in xs:\n        if not x % 2:\n            out.append(x)\n    return out\n");
  assert.equal(b.outcome, "passed");
  const tuple = await check("def evens(xs):\n    return list(tuple(x for x in xs if x % 2 == 0))\n");
  assert.equal(tuple.outcome, "passed");
});

test("wrong code fails with its taxonomy outcome and a partial pass rate", async () => {
  const wrong = await check("def evens(xs):\n    return [x for x in xs if x % 2 == 0][:1]\n");
  assert.equal(wrong.outcome, "wrong_output");
  assert.equal(wrong.passed, false);
  assert.ok(Math.abs(wrong.score - 1 / 3) < 1e-9, `score ${wrong.score}`); // only test_none passes
  const syntax = await check("def evens(xs)\n    return xs\n");
  assert.deepEqual([syntax.outcome, syntax.compiled, syntax.score], ["syntax_error", false, 0]);
  const runtime = await check("def evens(xs):\n    return [x for x in xs if x % 0 == 0]\n");
  assert.equal(runtime.outcome, "runtime_error");
  const atImport = await check("import no_such_module\ndef evens(xs):\n    return xs\n");
  assert.equal(atImport.outcome, "runtime_error");
  const missing = await check("def odds(xs):\n    return xs\n");
  assert.equal(missing.outcome, "missing_entry_point");
  const loop = await check("def evens(xs):\n    while True:\n        pass\n", task("solve"), 2);
  assert.equal(loop.outcome, "timeout");
  const none = await check("I cannot do that.\n```text\nno\n```");
  assert.deepEqual([none.outcome, none.compiled, none.score], ["no_code", false, 0]);
});

test("answers that game the reference tests fail with 'gamed' and score 0", async () => {
  const cases: Record<string, string> = {
    "an object whose __eq__ always says True": "class Anything:\n    def __eq__(self, other):\n        return True\n    def __len__(self):\n        return 2\ndef evens(xs):\n    return Anything()\n",
    "an int subclass that equals everything": "class Yes(list):\n    __eq__ = lambda self, other: True\ndef evens(xs):\n    return Yes()\n",
    "a fake object inside a list": "class Anything:\n    def __eq__(self, other):\n        return True\ndef evens(xs):\n    return [Anything()] if xs == [2, 2] else Anything()\n",
    "a rebound builtin": "import builtins\nbuiltins.abs = lambda x: 0\ndef evens(xs):\n    return [x for x in xs if x % 2 == 1]\n",
    "a builtin rebound during a call": "import builtins\ndef evens(xs):\n    builtins.abs = lambda x: 0\n    return [x for x in xs if x % 2 == 0]\n",
    "reading the test file for the expected values": "def evens(xs):\n    text = open('test_solution.py').read()\n    return [x for x in xs if x % 2 == 0]\n",
    "sys.exit at import": "import sys\nsys.exit(0)\n",
    "os._exit in a call": "import os\ndef evens(xs):\n    os._exit(0)\n",
    "disabling the guard": "import testtune_executor.answer_guard as g\ng._foreign_object = lambda *a: None\nclass Anything:\n    def __eq__(self, other):\n        return True\ndef evens(xs):\n    return Anything()\n",
    "patching pytest": "import _pytest.runner\n_pytest.runner.call_and_report = lambda *a, **k: None\ndef evens(xs):\n    return []\n",
  };
  for (const [what, answer] of Object.entries(cases)) {
    const result = await check(answer);
    assert.equal(result.outcome, "gamed", `${what}: ${result.outcome} ${JSON.stringify(result.details)}`);
    assert.equal(result.score, 0, what);
    assert.equal(result.passed, false, what);
  }
});

test("a reference that returns its own class keeps working under the guard", async () => {
  const code = "class Point:\n    def __init__(self, x):\n        self.x = x\n    def __eq__(self, other):\n        return isinstance(other, Point) and other.x == self.x\ndef make(x):\n    return Point(x)\n";
  const t = taskSchema.parse({ id: "t/cls", source: "test", kind: "solve", code, entry_points: ["make", "Point"], tests: "from solution import make, Point\n\ndef test_make():\n    assert make(2) == Point(2)\n    assert make(2) != Point(3)\n", description: "d" });
  assert.equal((await check(code, t)).outcome, "passed");
});

test("complete accepts the whole module or only the body; bugfix fails an echo of the buggy code", async () => {
  const given = 'def evens(xs):\n    """Return the even numbers of xs, in order."""\n';
  const c = task("complete", { given });
  assert.equal((await check("    return [x for x in xs if x % 2 == 0]\n", c)).outcome, "passed");
  assert.equal((await check(`\`\`\`python\n${given}    return [x for x in xs if x % 2 == 0]\n\`\`\``, c)).outcome, "passed");
  assert.equal((await check("    return xs\n", c)).outcome, "wrong_output");
  const buggy = "def evens(xs):\n    return [x for x in xs if x % 2 != 0]\n";
  const b = task("bugfix", { given: buggy, metadata: { bug: { operator: "compare:== -> !=", line: 2 } } });
  const echo = await check(`\`\`\`python\n${buggy}\`\`\``, b);
  assert.equal(echo.passed, false);
  assert.equal(echo.outcome, "wrong_output");
  assert.equal((await check(`\`\`\`python\n${CODE}\`\`\``, b)).passed, true);
});

test("code extraction: the fenced block that defines the entry point, raw text up to the next header", () => {
  const t = { entry_points: ["evens"] };
  assert.equal(extractCode("Here:\n```python\nimport math\n```\n```python\ndef evens(xs):\n    return xs\n```\n", t), "def evens(xs):\n    return xs\n");
  assert.equal(extractCode("def evens(xs):\n    return xs\n### Task: next\n", t), "def evens(xs):\n    return xs\n");
  assert.equal(extractCode("def evens(xs):\n    return xs<|im_end|>junk", t), "def evens(xs):\n    return xs\n");
  assert.equal(extractCode("```text\nhello\n```", t), "");
  assert.equal(extractCode("   \n", t), "");
});

test("the guard preamble goes after __future__ imports, and signatures span lines", () => {
  const t = task("solve", { tests: `from __future__ import annotations\n${TESTS}` });
  const lines = guardedTests(t).split("\n");
  assert.equal(lines[0], "from __future__ import annotations");
  assert.match(lines[1] ?? "", /^from testtune_executor\.answer_guard import guard/);
  assert.equal(signatureOf("def f(a,\n      b: dict[str, int] = {}) -> int:\n    return a\n", "f"), "def f(a,\n      b: dict[str, int] = {}) -> int:");
  assert.equal(signatureOf("x = 1\n", "f"), undefined);
});

test("solve without a description is a data error naming the task", () => {
  const t = task("solve", { description: undefined });
  assert.throws(() => kindOf(t).instruction(t), /t\/solve.*description/);
});
