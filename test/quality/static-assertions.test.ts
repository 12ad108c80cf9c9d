/**
 * Static assertion counts: concurrent calls share counting processes and each still gets its
 * own counts, in order (the reward service calls this once per request, from many clients).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { countStaticAssertions } from "../../src/quality/static-assertions.js";

function file(asserts: number): string {
  return `def test_it():\n${"    assert 1 == 1\n".repeat(asserts)}`;
}

test("30 calls at once each get their own counts, in order, nulls where a file does not parse", async () => {
  const calls = Array.from({ length: 30 }, (_, i) => [file(i + 1), "def broken(:\n", file(2 * i + 1)]);
  const answers = await Promise.all(calls.map((sources) => countStaticAssertions(sources)));
  answers.forEach((counts, i) => assert.deepEqual(counts, [i + 1, null, 2 * i + 1], `call ${i}`));
  assert.deepEqual(await countStaticAssertions([]), []);
  assert.deepEqual(await countStaticAssertions([file(3)]), [3], "a call after the burst starts a process of its own");
});
