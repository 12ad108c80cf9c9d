import assert from "node:assert/strict";
import { test } from "node:test";
import { extractUnits } from "../../src/tasks/corpus/extract.js";
import { pythonParser } from "../../src/tasks/corpus/parser.js";
import { sourceByName } from "../../src/tasks/sources/index.js";
import { fixture, loadOptions } from "./fixtures.js";
import { pytestExitCodes } from "./pytest-batch.js";

const LIMITS = { minLines: 5, maxLines: 60, maxContextLines: 200 };

test("the corpus adapter extracts functions and methods with the context they use, and counts what it skipped", async () => {
  const { tasks, skipped, rows } = await sourceByName("corpus").load(loadOptions(fixture("corpus")));
  assert.equal(rows, 2, "geometry.py and units.py; the test file and tests/ are skipped");
  assert.deepEqual(tasks.map((t) => t.id), [
    "corpus/shapes/geometry.py::distance",
    "corpus/shapes/geometry.py::farthest",
    "corpus/shapes/geometry.py::Polygon.perimeter",
    "corpus/shapes/geometry.py::Polygon.describe",
  ]);
  assert.deepEqual(skipped, { "test file skipped": 1, "directory skipped (tests)": 1, "shorter than 5 lines": 2, "needs a relative import": 1 });
  const farthest = tasks[1]?.code ?? "";
  for (const needed of ["import math", "from collections import namedtuple", 'Point = namedtuple("Point", "x y")', "ORIGIN = Point(0, 0)", "def distance(a, b):"]) assert.ok(farthest.includes(needed), needed);
  assert.ok(!farthest.includes("UNUSED") && !farthest.includes("to_metres") && !farthest.includes("def norm"));
  const describe = tasks[3];
  assert.deepEqual(describe?.entry_points, ["Polygon"]);
  assert.ok(describe?.code.includes("def perimeter(self):"), "a sibling method it calls");
  assert.ok(describe?.code.includes("def __init__(self, points):") && describe.code.includes('kind = "polygon"'));
  assert.ok(!describe?.code.includes("__repr__"));
  assert.equal(describe?.category, "shapes");
  assert.equal(tasks[0]?.tests, undefined);
});

test("every extracted module imports cleanly on its own", async () => {
  const { tasks } = await sourceByName("corpus").load(loadOptions(fixture("corpus")));
  const smoke = "import solution\n\n\ndef test_imports():\n    assert solution\n";
  assert.deepEqual(await pytestExitCodes(tasks.map((t) => ({ code: t.code, tests: smoke, module: "solution" }))), [0, 0, 0, 0]);
});

test("module-level context inside try/except is found; length limits and syntax errors are counted", async () => {
  const parser = await pythonParser();
  const source = [
    "try:",
    "    import json as codec",
    "except ImportError:",
    "    codec = None",
    "",
    "",
    "def encode(value):",
    '    """Encode a value, or None without a codec."""',
    "    if codec is None:",
    "        return None",
    "    return codec.dumps(value)",
    "",
    "",
    "def tiny():",
    "    return 1",
    "",
    "",
    "def broken(x):",
    "    if x >",
    "        return 1",
    "    return 2",
    "    return 3",
    "",
  ].join("\n");
  const { units, skipped } = extractUnits(parser, source, LIMITS);
  assert.deepEqual(units.map((u) => u.qualname), ["encode"]);
  assert.ok(units[0]?.code.startsWith("try:\n    import json as codec\nexcept ImportError:\n    codec = None\n\n\ndef encode(value):"));
  assert.equal(skipped["shorter than 5 lines"], 1);
  assert.equal(skipped["syntax error"], 1);
  const long = `def long():\n${Array.from({ length: 70 }, (_, i) => `    x${i} = ${i}`).join("\n")}\n    return 0\n`;
  assert.deepEqual(extractUnits(parser, long, LIMITS).skipped, { "longer than 60 lines": 1 });
});

test("a directory input is required, and a file is refused with a hint", async () => {
  await assert.rejects(sourceByName("corpus").load(loadOptions(fixture("mbpp-sample.jsonl"))), /not a directory/);
});
