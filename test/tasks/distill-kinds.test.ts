/**
 * `data distill` with task kinds: a teacher served by a small HTTP server in the test answers
 * docstring, explain and solve tasks; only answers that pass their kind's check without
 * placeholders are kept, duplicates (same instruction and answer) are dropped, and every
 * answer has its reason.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { expandKinds } from "../../src/kinds/expand.js";
import { SandboxPool } from "../../src/sandbox/pool.js";
import { distill, type SampleRecord } from "../../src/tasks/distill.js";
import { taskSchema } from "../../src/tasks/schema.js";
import { readJsonlSync } from "../../src/util/jsonl.js";
import { scratch } from "./fixtures.js";

const SOURCE = taskSchema.parse({
  id: "t/evens",
  source: "test",
  split: "train",
  code: "def evens(xs):\n    return [x for x in xs if x % 2 == 0]\n",
  entry_points: ["evens"],
  description: "Return the even numbers of xs, in order.",
  tests: "from solution import evens\n\n\ndef test_evens():\n    assert evens([1, 2, 3, 4]) == [2, 4]\n    assert evens([]) == []\n",
});

const DOC = '"""Return the even numbers of xs, in order.\n\nArgs:\n    xs: The numbers.\n\nReturns:\n    The even ones.\n"""';
const ANSWERS: Record<string, string[]> = {
  docstring: [`\`\`\`python\n${DOC}\n\`\`\``, DOC, DOC.replace("The numbers.", "TODO"), '"""Return the even numbers."""'],
  explain: [
    "Purpose: evens keeps the even numbers of a list.\nParameters: `xs`, the list of integers to filter.\nBehaviour: it goes through xs in order and keeps each x where x % 2 == 0, returning a new list.",
    "Purpose: filters.",
  ],
  solve: ["```python\ndef evens(xs):\n    return [x for x in xs if not x % 2]\n```", "```python\ndef evens(xs)\n    return xs\n```", "```python\ndef evens(xs):\n    ...\n```", "```python\ndef evens(xs):\n    return xs\n```"],
};

let server: Server;
let url = "";
let pool: SandboxPool;

before(async () => {
  pool = await SandboxPool.start({ workers: 2, memoryMb: 256, defaultTimeoutS: 15 }); // generous: no honest run may time out on a loaded machine
  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const prompt = (JSON.parse(raw) as { messages: { content: string }[] }).messages[0]?.content ?? "";
      const kind = prompt.startsWith("### Task: Write the docstring") ? "docstring" : prompt.startsWith("### Task: Explain") ? "explain" : "solve";
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ choices: (ANSWERS[kind] ?? []).map((content, index) => ({ index, message: { role: "assistant", content } })) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.close();
  await pool.close();
});

test("distilling docstring, explain and solve answers keeps only those that pass their kind's checks", async () => {
  const { tasks } = await expandKinds([SOURCE], ["docstring", "explain", "solve"], { seed: 1, executor: pool });
  assert.deepEqual(tasks.map((t) => t.kind), ["docstring", "explain", "solve"]);
  const out = scratch();
  const stats = await distill({ teacher: { url, model: "m", temperature: 0.7, maxTokens: 256, timeoutMs: 10_000 }, tasks, out, n: 4, concurrency: 1, executor: pool });
  assert.deepEqual(stats.by_kind, { docstring: { answers: 4, kept: 1 }, explain: { answers: 4, kept: 1 }, solve: { answers: 4, kept: 1 } });
  assert.deepEqual(stats.by_reason, {
    kept: 3,
    "same instruction and answer as an earlier answer": 3, // the explain teacher answers twice per request: asked again, it repeats itself
    "placeholder in the answer": 2,
    "fails the docstring check: args mismatch": 1,
    "fails the explain check: too short": 1,
    "does not compile": 1,
    "fails the solve check: wrong output": 1,
  });
  const samples = readJsonlSync(join(out, "samples.jsonl")) as SampleRecord[];
  assert.deepEqual(samples.filter((s) => s.hallucination !== undefined).map((s) => s.hallucination), [["TODO (line 4)"], ["`...` body of evens (line 1)"]]);
  const sft = readJsonlSync(join(out, "sft.jsonl")) as { task_id: string; prompt: string; completion: string }[];
  assert.deepEqual(sft.map((r) => r.task_id), ["t/evens/docstring", "t/evens/explain", "t/evens/solve"]);
  assert.equal(sft[0]?.completion, `${DOC}\n`);
  assert.ok(sft[0]?.prompt.includes("### Task: Write the docstring of evens") && sft[0].prompt.endsWith("### Answer\n"));
  assert.equal(sft[2]?.completion, "def evens(xs):\n    return [x for x in xs if not x % 2]\n");
});
