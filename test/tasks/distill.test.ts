import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { NetworkError } from "../../src/errors.js";
import { distill, type DistillOptions, type SampleRecord } from "../../src/tasks/distill.js";
import type { Task } from "../../src/tasks/schema.js";
import { completionsUrl } from "../../src/tasks/teacher.js";
import { readJsonlSync } from "../../src/util/jsonl.js";
import { scratch } from "./fixtures.js";
import { PytestExecutor } from "./pytest-executor.js";

const task = (name: string, code: string): Task => ({ id: `t/${name}`, source: "test", code, module: "solution", entry_points: [name], split: "train", metadata: {} });
const TASKS = [task("add", "def add(a, b):\n    return a + b\n"), task("one", "def one():\n    return 1\n"), task("boom", "def boom():\n    return 0\n")];

const GOOD = "Here you go:\n```python\nfrom solution import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n```\n";
const WRONG = "```python\nfrom solution import add\n\n\ndef test_add():\n    assert add(1, 2) == 4\n```";
const PROSE = "I cannot write tests for this.";
const NO_ASSERT = "```python\nfrom solution import one\n\n\ndef test_one():\n    one()\n```";

// A fake OpenAI-compatible teacher on 127.0.0.1: answers by the function the prompt shows.
// For `one` it ignores `n` and answers once per request, as some servers do.
let server: Server;
let url = "";
const bodies: { model: string; n: number; messages: { role: string; content: string }[] }[] = [];

before(async () => {
  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const body = JSON.parse(raw) as (typeof bodies)[number];
      bodies.push(body);
      const prompt = body.messages[0]?.content ?? "";
      if (req.url !== "/v1/chat/completions" || prompt.includes("def boom")) {
        res.statusCode = 500;
        res.end("teacher exploded");
        return;
      }
      const answers = prompt.includes("def add") ? [GOOD, GOOD, WRONG, PROSE].slice(0, body.n) : [NO_ASSERT];
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ id: "x", object: "chat.completion", choices: answers.map((content, index) => ({ index, message: { role: "assistant", content }, finish_reason: "stop" })) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => server.close());

function options(out: string, extra: Partial<DistillOptions> = {}): DistillOptions {
  return { teacher: { url, model: "teacher-1", temperature: 0.5, maxTokens: 256, timeoutMs: 10_000 }, tasks: TASKS, out, n: 4, concurrency: 2, executor: new PytestExecutor(), ...extra };
}

test("only valid answers (pass on the reference, an assertion ran) become SFT data; every answer has a reason", async () => {
  const out = scratch();
  const stats = await distill(options(out));
  assert.equal(stats.kept, 1);
  assert.equal(stats.tasks_with_a_kept_file, 1);
  assert.deepEqual(stats.by_reason, {
    kept: 1,
    "same instruction and answer as an earlier answer": 4,
    "failed on the reference code": 1,
    "no test in the answer": 1,
    "no assertion ran": 1,
    "teacher request failed": 1,
  });
  assert.equal(stats.answers_received, 8);
  const sft = readJsonlSync(join(out, "sft.jsonl")) as { task_id: string; prompt: string; completion: string }[];
  assert.deepEqual(sft.map((r) => r.task_id), ["t/add"]);
  assert.equal(sft[0]?.completion, "from solution import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n");
  assert.ok(sft[0]?.prompt.endsWith("### Tests\n"));
  const samples = readJsonlSync(join(out, "samples.jsonl")) as SampleRecord[];
  assert.equal(samples.length, 9);
  assert.ok(samples.every((s) => s.reason !== ""));
  const written = JSON.parse(readFileSync(join(out, "stats.json"), "utf8")) as typeof stats;
  assert.equal(written.kept, 1);
});

test("the request is an OpenAI chat completion with the model, n and the task's code", async () => {
  bodies.length = 0;
  await distill(options(scratch(), { tasks: [TASKS[0] as Task], n: 2 }));
  assert.equal(bodies.length, 1);
  assert.equal(bodies[0]?.model, "teacher-1");
  assert.equal(bodies[0]?.n, 2);
  assert.ok(bodies[0]?.messages[0]?.content.includes("def add(a, b):"));
  assert.equal(completionsUrl("http://h:1/v1/"), "http://h:1/v1/chat/completions");
  assert.equal(completionsUrl("http://h:1"), "http://h:1/v1/chat/completions");
});

test("a teacher that answers nothing at all fails the run with a NetworkError", async () => {
  await assert.rejects(distill(options(scratch(), { tasks: [TASKS[2] as Task] })), (e: unknown) => e instanceof NetworkError && /HTTP 500/.test(e.message));
  await assert.rejects(distill(options(scratch(), { teacher: { url: "http://127.0.0.1:9", model: "m", temperature: 0, maxTokens: 8, timeoutMs: 5000 } })), (e: unknown) => e instanceof NetworkError && /did not answer/.test(e.message));
});
