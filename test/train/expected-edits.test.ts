/** Wrong expected values made on purpose: which assertions are edited, and that exactly one literal changes. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { expectedValueEdits, type ExpectedEdit } from "../../src/train/expected-edits.js";
import { Rng } from "../../src/util/rng.js";

async function editsOf(tests: string, count = 1, seed = 1): Promise<ExpectedEdit[]> {
  return expectedValueEdits(tests, count, new Rng(seed));
}

/** The edited file is the original with `before` replaced by `after` at `offset`, and nothing else. */
function assertOneLiteral(original: string, edit: ExpectedEdit): void {
  assert.equal(original.slice(edit.offset, edit.offset + edit.before.length), edit.before);
  assert.equal(edit.tests, `${original.slice(0, edit.offset)}${edit.after}${original.slice(edit.offset + edit.before.length)}`);
  assert.notEqual(edit.after, edit.before);
}

const fileWith = (line: string): string => `from solution import f\n\n\ndef test_f():\n    ${line}\n`;

for (const [label, expected, allowed] of [
  ["an int moves by one", "18", ["17", "19"]],
  ["a negative int moves by one", "-4", ["-5", "-3"]],
  ["a float moves by one", "2.5", ["1.5", "3.5"]],
  ["a whole float stays a float", "3.0", ["2.0", "4.0"]],
  ["True flips", "True", ["False"]],
  ["False flips", "False", ["True"]],
  ["None becomes 0", "None", ["0"]],
  ["an empty list gains a 0", "[]", ["[0]"]],
  ["an empty tuple gains a 0", "()", ["(0,)"]],
  ["an empty string gains an x", "''", ["'x'"]],
] as const) {
  test(`${label}: ${expected} -> one of ${allowed.join(", ")}`, async () => {
    const original = fileWith(`assert f(3) == ${expected}`);
    const [edit] = await editsOf(original);
    assert.ok(edit !== undefined);
    assertOneLiteral(original, edit);
    assert.ok((allowed as readonly string[]).includes(edit.after), edit.after);
    assert.deepEqual([edit.line, edit.test], [5, "test_f"]);
  });
}

test("a string changes in exactly one letter or digit, never inside an escape sequence, with non-ASCII text before it", async () => {
  const original = fileWith('assert f("é😀") == "😀a\\x41\\N{DASH}\\nb"');
  const chosen = new Set<string>();
  for (let seed = 0; seed < 30; seed++) {
    const [edit] = await editsOf(original, 1, seed);
    assert.ok(edit !== undefined);
    assertOneLiteral(original, edit);
    assert.equal(edit.before, '"😀a\\x41\\N{DASH}\\nb"');
    assert.match(edit.after, /^"😀[a-z]\\x41\\N\{DASH\}\\nb"$|^"😀a\\x41\\N\{DASH\}\\n[a-z]"$/);
    assert.equal([...edit.after].filter((c, i) => c !== [...edit.before][i]).length, 1);
    chosen.add(edit.after.includes('"😀a') ? "b" : "a");
  }
  assert.deepEqual(chosen, new Set(["a", "b"]), "both editable letters are chosen by some seed");
});

test("in a list or tuple one element is edited; the literal may stand on the left", async () => {
  const original = fileWith("assert ([9, 8], 'ab') == f([5, 9, 8])");
  const [edit] = await editsOf(original, 1, 3);
  assert.ok(edit !== undefined);
  assertOneLiteral(original, edit);
  assert.ok(["9", "8", "'ab'"].includes(edit.before), edit.before);
});

test("`is True` and `is False` flip; `is None` is left alone", async () => {
  const original = fileWith("assert f(1) is True");
  const [edit] = await editsOf(original);
  assert.equal(edit?.after, "False");
  assert.deepEqual(await editsOf(fileWith("assert f(1) is None")), []);
});

test("a parametrized expected value is edited in one case, and the test is named without its parameters", async () => {
  const original = [
    "import pytest",
    "from solution import f",
    "",
    "class TestF:",
    '    @pytest.mark.parametrize("x, expected", [(1, 2), (5, 6)])',
    "    def test_f(self, x, expected):",
    "        assert f(x) == expected",
    "",
  ].join("\n");
  const edits = await editsOf(original, 5);
  assert.equal(edits.length, 2, "one site per case");
  for (const edit of edits) {
    assertOneLiteral(original, edit);
    assert.equal(edit.test, "TestF::test_f");
    assert.equal(edit.line, 5);
    assert.ok(["2", "6"].includes(edit.before), `only the expected column is edited, got ${edit.before}`);
  }
});

test("assertions without a literal expected value, outside a test function or in a nested one are not edited", async () => {
  for (const tests of [
    fileWith("assert f(3) == f(4)"),
    fileWith("assert f(3)"),
    fileWith("assert f(3) == f'{3}'"),
    fileWith("assert f(3) < 7"),
    fileWith("assert 1 == 1"),
    "from solution import f\n\ndef check(x):\n    assert f(x) == 3\n\ndef test_f():\n    check(1)\n",
    "from solution import f\n\ndef test_f():\n    def inner():\n        assert f(1) == 3\n    inner()\n",
    "def test_f(:\n    assert f(1) == 2\n",
  ]) {
    assert.deepEqual(await editsOf(tests), [], tests);
  }
});

test("several edits go to different assertions; the same seed gives the same edits and another seed may not", async () => {
  const original = "from solution import f\n\n\ndef test_f():\n    assert f(1) == 1\n    assert f(2) == 4\n    assert f(3) == 9\n";
  const edits = await editsOf(original, 5, 7);
  assert.equal(edits.length, 3);
  assert.equal(new Set(edits.map((e) => e.line)).size, 3);
  assert.deepEqual(await editsOf(original, 5, 7), edits);
  const others = await Promise.all([1, 2, 3, 4, 5].map((seed) => editsOf(original, 1, seed)));
  assert.ok(others.some((o) => JSON.stringify(o) !== JSON.stringify(others[0])), "seeds choose different edits");
});
