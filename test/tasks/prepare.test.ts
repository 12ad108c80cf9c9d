import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { UsageError } from "../../src/errors.js";
import { SandboxPool } from "../../src/sandbox/pool.js";
import { readTasks } from "../../src/tasks/io.js";
import { prepare, type PrepareOptions } from "../../src/tasks/prepare.js";
import { readJsonlSync } from "../../src/util/jsonl.js";
import { fixture, scratch } from "./fixtures.js";
import { PytestExecutor } from "./pytest-executor.js";
import { trainTokenizer } from "./tokenizer-fixture.js";

function options(extra: Partial<PrepareOptions>): PrepareOptions {
  return { source: "mbpp", input: fixture("mbpp-sample.jsonl"), out: scratch(), seed: 5, evalFraction: 0.2, chatTemplate: false, log: () => undefined, ...extra };
}

test("prepare writes tasks.jsonl, sft.jsonl for the train split, and stats.json", async () => {
  const opts = options({});
  const stats = await prepare(opts);
  const tasks = await readTasks(join(opts.out, "tasks.jsonl"));
  assert.equal(tasks.length, 5);
  assert.deepEqual(tasks.map((t) => t.id), ["mbpp/2", "mbpp/19", "mbpp/367", "mbpp/601", "mbpp/642"], "input order is kept");
  assert.ok(tasks.every((t) => t.split === "train" || t.split === "eval"));
  const sft = readJsonlSync(join(opts.out, "sft.jsonl")) as { task_id: string; prompt: string; completion: string }[];
  assert.deepEqual(sft.map((r) => r.task_id), tasks.filter((t) => t.split === "train").map((t) => t.id));
  assert.ok(sft[0]?.prompt.endsWith("### Tests\n"));
  const written = JSON.parse(readFileSync(join(opts.out, "stats.json"), "utf8")) as typeof stats;
  assert.equal(written.tasks_written, 5);
  assert.equal(written.rows_read, 5);
  assert.equal(written.verify, null);
  assert.equal(written.summary.with_tests, 5);
});

test("--verify keeps only tasks whose reference tests pass and lists every drop with its reason", async () => {
  const executor = new PytestExecutor();
  const opts = options({ executor });
  const stats = await prepare(opts);
  assert.equal(stats.tasks_written, 4);
  assert.deepEqual(stats.verify, { ran: 5, passed: 4, not_run_without_tests: 0, isolation: "none" });
  assert.deepEqual(stats.dropped.by_reason, { "reference tests failed on the reference code": 1 });
  assert.deepEqual(stats.dropped.tasks.map((d) => d.id), ["mbpp/642"]);
  assert.equal(executor.requests.length, 5);
});

test("--limit takes a seeded subset and verifies only what it needs; the same seed gives the same subset", async () => {
  const ids = async (out: string) => (await readTasks(join(out, "tasks.jsonl"))).map((t) => t.id);
  const executor = new PytestExecutor();
  const verified = options({ limit: 2, executor });
  const stats = await prepare(verified);
  assert.equal(stats.tasks_written, 2);
  assert.ok(executor.requests.length <= 5);
  const [first, again, other] = [options({ limit: 3 }), options({ limit: 3 }), options({ limit: 3, seed: 99 })];
  for (const o of [first, again, other]) await prepare(o);
  assert.deepEqual(await ids(first.out), await ids(again.out));
  assert.notDeepEqual(await ids(first.out), await ids(other.out));
  const limited = JSON.parse(readFileSync(join(first.out, "stats.json"), "utf8")) as { dropped: { by_reason: Record<string, number> } };
  assert.deepEqual(limited.dropped.by_reason, { "not selected (--limit)": 2 });
});

test("duplicate code is dropped, keeping the first", async () => {
  const dir = scratch();
  const rows = readFileSync(fixture("mbpp-sample.jsonl"), "utf8").trim().split("\n");
  const copy = { ...(JSON.parse(rows[0] as string) as object), task_id: 1000 };
  writeFileSync(join(dir, "dup.jsonl"), `${[...rows, JSON.stringify(copy)].join("\n")}\n`);
  const stats = await prepare(options({ input: join(dir, "dup.jsonl") }));
  assert.equal(stats.tasks_written, 5);
  assert.deepEqual(stats.dropped.tasks, [{ id: "mbpp/1000", reason: "duplicate code", detail: "same code as mbpp/2" }]);
  assert.equal((await prepare(options({ input: join(dir, "dup.jsonl"), dedup: false }))).tasks_written, 6);
});

test("--verify through the real sandbox pool gives the same verdicts", async () => {
  const pool = await SandboxPool.start({ workers: 1 });
  try {
    const stats = await prepare(options({ executor: pool }));
    assert.deepEqual(stats.verify, { ran: 5, passed: 4, not_run_without_tests: 0, isolation: "bubblewrap" });
    assert.deepEqual(stats.dropped.tasks.map((d) => [d.id, d.reason]), [["mbpp/642", "reference tests failed on the reference code"]]);
    assert.match(stats.dropped.tasks[0]?.detail ?? "", /assert 2 == 3/);
  } finally {
    await pool.close();
  }
});

test("a licence is recorded and passed to the log for KodCode", async () => {
  const lines: string[] = [];
  const stats = await prepare(options({ source: "kodcode", input: fixture("kodcode-v1-sample.parquet"), log: (l) => lines.push(l) }));
  assert.match(stats.license ?? "", /CC BY-NC 4\.0/);
  assert.ok(lines.some((l) => /licence: KodCode is licensed CC BY-NC 4\.0/.test(l)));
  assert.deepEqual(stats.dropped.by_reason, { "unverified (no GPT-4o trial passed)": 1 });
});

test("bad options are usage errors before anything is read or written", async () => {
  const out = scratch();
  await assert.rejects(prepare(options({ out, maxTokens: 100 })), (e: unknown) => e instanceof UsageError && /--tokenizer/.test(e.message));
  await assert.rejects(prepare(options({ out, evalFraction: 1.5 })), /--eval-fraction/);
  await assert.rejects(prepare(options({ out, limit: 0 })), /--limit/);
  await assert.rejects(prepare(options({ out, chatTemplate: true })), /--chat-template needs --tokenizer/);
  assert.ok(!existsSync(join(out, "tasks.jsonl")));
});

test("--max-tokens drops tasks longer than the limit in the model's tokens; --chat-template renders chat prompts", async () => {
  const model = scratch();
  await trainTokenizer(model, [readFileSync(fixture("mbpp-sample.jsonl"), "utf8")]);
  writeFileSync(join(model, "tokenizer_config.json"), JSON.stringify({ chat_template: CHATML, eos_token: "<|im_end|>" }));
  const measured = await prepare(options({ tokenizer: join(model, "tokenizer.json") }));
  const tokens = measured.summary.tokens;
  assert.ok(tokens !== undefined && tokens.max > tokens.p50);
  const limited = await prepare(options({ tokenizer: model, maxTokens: tokens.p50 }));
  const longer = limited.dropped.by_reason[`longer than ${tokens.p50} tokens`] ?? 0;
  assert.ok(longer >= 1 && longer <= 3, `dropped ${longer}`);
  assert.equal(limited.tasks_written, 5 - longer);
  assert.ok((limited.summary.tokens?.max ?? Infinity) <= tokens.p50);
  const chat = options({ tokenizer: model, chatTemplate: true, evalFraction: 0 });
  const chatStats = await prepare(chat);
  assert.equal(chatStats.prompt_template, "chat");
  const rows = readJsonlSync(join(chat.out, "sft.jsonl")) as { prompt: string; completion: string }[];
  assert.ok(rows[0]?.prompt.startsWith("<|im_start|>user\n### Task: Write pytest tests") && rows[0].prompt.endsWith("<|im_start|>assistant\n"));
  assert.ok(rows[0]?.completion.startsWith("```python\nfrom solution import"));
});

const CHATML =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
