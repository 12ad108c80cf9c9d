import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "../../src/errors.js";
import { TokenCounter } from "../../src/tasks/tokens.js";
import { scratch } from "./fixtures.js";
import { trainTokenizer } from "./tokenizer-fixture.js";

const TEXTS = [
  "def add(a, b):\n    return a + b\n",
  "from solution import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n    assert add(-1, 1) == 0\n",
  "### Task: Write pytest tests for solution.py\n### Code Under Test\n```python\nx = [i * 2 for i in range(10)]\n```\n### Tests\n",
  "<|im_start|>user\nWrite tests<|im_end|>\n<|im_start|>assistant\n",
  "Ünïcödé café naïve — 北京 😀 and CamelCase isn't it's we'll\n\ttabs\tand  double  spaces   ",
  "",
];

test("token counts match the Python tokenizers library on a trained tokenizer.json", async () => {
  const dir = scratch();
  const expected = await trainTokenizer(dir, TEXTS);
  const counter = TokenCounter.load(dir);
  assert.deepEqual(TEXTS.map((t) => counter.count(t)), expected);
  assert.ok((expected[0] ?? 0) > 3, "a real tokenization, not one token per text");
});

test("a missing or malformed tokenizer is a ConfigError naming the file", () => {
  const dir = scratch();
  assert.throws(() => TokenCounter.load(join(dir, "tokenizer.json")), (e: unknown) => e instanceof ConfigError && /not found/.test(e.message));
  writeFileSync(join(dir, "tokenizer.json"), "{not json");
  assert.throws(() => TokenCounter.load(dir), (e: unknown) => e instanceof ConfigError && /tokenizer\.json/.test(e.message) && /not valid JSON/.test(e.message));
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify({ model: { type: "Nonsense" } }));
  assert.throws(() => TokenCounter.load(dir), (e: unknown) => e instanceof ConfigError && /cannot be used as a tokenizer/.test(e.message));
});
