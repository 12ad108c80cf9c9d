import assert from "node:assert/strict";
import { test } from "node:test";
import { blankStringsAndComments, extractTestFile, missingImports } from "../../src/prompts/extract.js";

const task = { module: "solution", entry_points: ["add", "Stack.push"] };
const TESTS = "from solution import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n";

test("a raw completion is returned as it is, with one final newline", () => {
  assert.deepEqual(extractTestFile(`${TESTS}\n\n`, task), { tests: TESTS, method: "raw", added_imports: [] });
});

test("a raw completion is cut at a chat end marker and at the start of a new task", () => {
  assert.equal(extractTestFile(`${TESTS}<|im_end|>\nuser: thanks`).tests, TESTS);
  assert.equal(extractTestFile(`${TESTS}</s>junk`).tests, TESTS);
  assert.equal(extractTestFile(`${TESTS}<|eot_id|><|start_header_id|>`).tests, TESTS);
  assert.equal(extractTestFile(`${TESTS}\n### Task: Write pytest tests for solution.py\n### Code Under Test\n`).tests, TESTS);
});

test("a ### comment that is not a task header is kept", () => {
  const text = `${TESTS}\n### edge cases\ndef test_zero():\n    assert add(0, 0) == 0\n`;
  assert.equal(extractTestFile(text).tests, text);
});

test("a python fenced block inside prose is extracted", () => {
  const completion = `Here are the tests:\n\n\`\`\`python\n${TESTS}\`\`\`\n\nThey cover addition.`;
  assert.deepEqual(extractTestFile(completion, task), { tests: TESTS, method: "fenced", added_imports: [] });
});

test("py, python3 and untagged fences count; other languages do not", () => {
  for (const lang of ["py", "python3", "", "Python"]) {
    assert.equal(extractTestFile(`\`\`\`${lang}\n${TESTS}\`\`\``).tests, TESTS, lang);
  }
  const bash = "```bash\npytest -q\n```\n";
  assert.deepEqual(extractTestFile(`${bash}\`\`\`python\n${TESTS}\`\`\``).tests, TESTS);
});

test("the block that defines tests wins over an earlier block repeating the code", () => {
  const code = "```python\ndef add(a, b):\n    return a + b\n```\n";
  assert.equal(extractTestFile(`The code:\n${code}The tests:\n\`\`\`python\n${TESTS}\`\`\``).tests, TESTS);
});

test("of several blocks defining tests, the longest wins", () => {
  const short = "```python\ndef test_one():\n    assert add(1, 1) == 2\n```\n";
  const completion = `${short}Better:\n\`\`\`python\n${TESTS}\`\`\`\n`;
  assert.equal(extractTestFile(completion).tests, TESTS);
});

test("a class of tests counts as defining tests", () => {
  const cls = "class TestAdd:\n    def check(self):\n        assert add(1, 2) == 3\n";
  const completion = `\`\`\`python\ndef add(a, b):\n    return a + b\n\`\`\`\n\`\`\`python\n${cls}\`\`\``;
  assert.equal(extractTestFile(completion).tests, cls);
});

test("without a test-defining block, the first python block is taken", () => {
  assert.deepEqual(extractTestFile("```python\nimport solution\n```\n```python\nx = 1\n```"), {
    tests: "import solution\n",
    method: "fenced",
    added_imports: [],
  });
});

test("an unclosed last fence (the completion ran out of tokens) runs to the end", () => {
  const completion = `\`\`\`python\n${TESTS}\ndef test_more():\n    assert add(2, 2) == 4`;
  assert.equal(extractTestFile(completion).tests, `${TESTS}\ndef test_more():\n    assert add(2, 2) == 4\n`);
  assert.equal(extractTestFile(completion).method, "fenced");
});

test("tests followed by a stray closing fence are taken raw from before the fence", () => {
  const completion = `${TESTS}\`\`\`\n\nThese tests check add.\n`;
  assert.deepEqual(extractTestFile(completion), { tests: TESTS, method: "raw", added_imports: [] });
});

test("an empty or whitespace completion, or one that is only an end marker, extracts nothing", () => {
  const empties = ["", "   \n\n", "<|im_end|>def test_x():\n    assert 1\n", "```python\n```", "Sure!\n```bash\npytest -q\n```\nDone."];
  for (const completion of empties) {
    assert.deepEqual(extractTestFile(completion, task), { tests: "", method: "none", added_imports: [] }, JSON.stringify(completion));
  }
});

test("entry points used without any import of the module are imported explicitly", () => {
  const body = "def test_add():\n    assert add(1, 2) == 3\n\n\ndef test_push():\n    s = Stack()\n    s.push(1)\n";
  const withStack = { module: "solution", entry_points: ["add", "Stack"] };
  assert.deepEqual(extractTestFile(body, withStack), {
    tests: `from solution import add, Stack\n${body}`,
    method: "raw",
    added_imports: ["add", "Stack"],
  });
});

test("only names actually used are imported, and dotted entry points by their first part", () => {
  const body = "def test_add():\n    assert add(1, 2) == 3\n";
  assert.deepEqual(missingImports(body, task), ["add"]);
  assert.deepEqual(missingImports("def test_push():\n    Stack().push(1)\n", task), ["Stack"]);
});

test("nothing is added when the file imports the module in any form", () => {
  for (const head of ["import solution\n", "from solution import *\n", "from solution import sub\n", "import os, solution as s\n"]) {
    const body = `${head}def test_add():\n    assert add(1, 2) == 3\n`;
    assert.deepEqual(extractTestFile(body, task), { tests: body, method: "raw", added_imports: [] }, head);
  }
});

test("nothing is added for names the file defines or imports from elsewhere, or only mentions in strings, comments, attributes and keywords", () => {
  const cases = [
    "def add(a, b):\n    return a + b\n\ndef test_add():\n    assert add(1, 2) == 3\n",
    "from mymath import add\n\ndef test_add():\n    assert add(1, 2) == 3\n",
    "from mymath import (\n    sub,\n    add,\n)\n\ndef test_add():\n    assert add(1, 2) == 3\n",
    "add = lambda a, b: a + b\n\ndef test_add():\n    assert add(1, 2) == 3\n",
    'def test_doc():\n    """add is tested elsewhere"""\n    # add(1, 2)\n    assert math.add(1) == f(add=2)\n',
  ];
  for (const body of cases) assert.deepEqual(missingImports(body, task), [], body);
});

test("without a task nothing is added", () => {
  assert.deepEqual(extractTestFile("def test_add():\n    assert add(1, 2) == 3\n").added_imports, []);
});

test("the import goes after from __future__ imports, including a parenthesised one", () => {
  const single = "from __future__ import annotations\n\ndef test_add():\n    assert add(1, 2) == 3\n";
  assert.equal(
    extractTestFile(single, task).tests,
    "from __future__ import annotations\nfrom solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n",
  );
  const multi = "from __future__ import (\n    annotations,\n)\ndef test_add():\n    assert add(1, 2) == 3\n";
  assert.equal(extractTestFile(multi, task).tests.split("\n")[3], "from solution import add");
});

test("the module name comes from the task", () => {
  const body = "def test_add():\n    assert add(1, 2) == 3\n";
  assert.equal(extractTestFile(body, { module: "calc", entry_points: ["add"] }).tests.split("\n")[0], "from calc import add");
});

test("blanking strings and comments keeps line structure and code", () => {
  const code = "x = f'{a}' + \"b#c\"  # note\ny = '''multi\nline''' + rb'\\x00'\nz = 1\n";
  const blank = blankStringsAndComments(code);
  assert.equal(blank.split("\n").length, code.split("\n").length);
  assert.equal(blank.length, code.length);
  const literals = ["f'{a}'", '"b#c"', "# note", "'''multi", "line'''", "rb'\\x00'"];
  assert.equal(blank, literals.reduce((text, lit) => text.replace(lit, " ".repeat(lit.length)), code));
});
