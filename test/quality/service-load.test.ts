/**
 * The reward service under many clients: a bounded queue that refuses with 503 when full,
 * answers routed to the request that asked, and a client that disconnects freeing its queued
 * runs. Every wait is on an event (a run starting, the service logging a line), never a delay.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, test } from "node:test";
import { startRewardService, type RewardService, type RewardServiceOptions } from "../../src/quality/service.js";
import type { ExecRequest, ExecResult } from "../../src/sandbox/types.js";
import { taskSchema } from "../../src/tasks/schema.js";
import { Rng } from "../../src/util/rng.js";
import { FakeExecutor } from "./fake-executor.js";

const task = taskSchema.parse({ id: "t/1", source: "test", code: "def add(a, b):\n    return a + b\n", entry_points: ["add"] });
const tasks = new Map([[task.id, task]]);

/** A test file that identifies itself in its score: `tests` test functions of `asserts` assertions each. */
function testFile(tests: number, asserts: number): string {
  const body = Array.from({ length: asserts }, () => "    assert add(1, 2) == 3\n").join("");
  return `from solution import add\n${Array.from({ length: tests }, (_, i) => `\n\ndef test_${i}():\n${body}`).join("")}`;
}

/** Runs wait until the test lets them go (one at a time, or all from now on); `started` resolves waiters. */
class HeldExecutor {
  private readonly held: (() => void)[] = [];
  private readonly inner = new FakeExecutor();
  private readonly startWaiters: { count: number; resolve: () => void }[] = [];
  private open = false;
  started = 0;

  async exec(req: ExecRequest): Promise<ExecResult> {
    this.started += 1;
    for (const w of this.startWaiters.filter((w) => this.started >= w.count)) w.resolve();
    if (!this.open) await new Promise<void>((resolve) => this.held.push(resolve));
    return this.inner.exec(req);
  }

  /** Resolves once `count` runs have started. */
  untilStarted(count: number): Promise<void> {
    if (this.started >= count) return Promise.resolve();
    return new Promise((resolve) => this.startWaiters.push({ count, resolve }));
  }

  /** Lets the held runs go, in the given order of their start positions. */
  release(order: number[]): void {
    const held = this.held.splice(0);
    for (const i of order) held[i]?.();
  }

  get heldCount(): number {
    return this.held.length;
  }

  openAll(): void {
    this.open = true;
    this.release(this.held.map((_, i) => i));
  }
}

const started: RewardService[] = [];
after(async () => {
  for (const s of started) await s.close();
});

/** A service whose log lines can be awaited. */
async function service(options: Partial<RewardServiceOptions>): Promise<RewardService & { logged: (pattern: RegExp) => Promise<string> }> {
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const s = await startRewardService({
    tasks,
    executor: new FakeExecutor(),
    port: 0,
    reward: "staged",
    log: (line) => {
      lines.push(line);
      for (const w of waiters.filter((w) => w.pattern.test(line))) w.resolve(line);
    },
    ...options,
  });
  started.push(s);
  const logged = (pattern: RegExp): Promise<string> => {
    const seen = lines.find((l) => pattern.test(l));
    return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ pattern, resolve }));
  };
  return { ...s, logged };
}

async function post(url: string, body: unknown): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1/score`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

async function health(url: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${url}/health`)).json()) as Record<string, unknown>;
}

test("a request that would overfill the queue gets 503 with Retry-After; admitted ones are answered", async () => {
  const executor = new HeldExecutor();
  const s = await service({ executor, concurrency: 1, maxQueue: 2 });
  const first = post(s.url, { task_ids: ["t/1", "t/1", "t/1"], completions: [testFile(1, 1), testFile(2, 1), testFile(3, 1)] });
  await executor.untilStarted(1);
  assert.deepEqual(await health(s.url).then((h) => [h.in_flight, h.queued, h.admitted, h.capacity]), [1, 2, 3, 3]);

  const refused = await post(s.url, { task_ids: ["t/1"], completions: [testFile(1, 1)] });
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("retry-after"), "1");
  assert.match(String(refused.json.error), /the queue is full \(3 completions admitted, room for 3: --concurrency \+ --max-queue\); retry after 1 s/);

  executor.openAll();
  const answer = await first;
  assert.equal(answer.status, 200);
  assert.deepEqual((answer.json.details as { tests: { total: number } }[]).map((d) => d.tests.total), [1, 2, 3]);
  assert.equal((await health(s.url)).admitted, 0);
  assert.equal((await post(s.url, { task_ids: ["t/1"], completions: [testFile(1, 1)] })).status, 200, "room again once the first is done");
});

test("an idle service admits a request larger than its whole queue", async () => {
  const s = await service({ concurrency: 1, maxQueue: 0 });
  const { status, json } = await post(s.url, { task_ids: ["t/1", "t/1", "t/1"], completions: [testFile(1, 1), testFile(1, 1), testFile(1, 1)] });
  assert.equal(status, 200);
  assert.deepEqual(json.scores, [1, 1, 1]);
});

test("40 clients at once each get their own results, whatever order the runs finish in", async () => {
  const clients = 40;
  const perClient = 3;
  const executor = new HeldExecutor();
  const s = await service({ executor, concurrency: clients * perClient, maxQueue: 0 });
  // client c, item j: a file of j + 1 tests with c + 1 assertions each, so its score says whose it is
  const answers = Array.from({ length: clients }, (_, c) =>
    post(s.url, { task_ids: Array(perClient).fill("t/1"), completions: Array.from({ length: perClient }, (_, j) => testFile(j + 1, c + 1)) }),
  );
  await executor.untilStarted(clients * perClient);
  executor.release(new Rng(12).shuffle(Array.from({ length: clients * perClient }, (_, i) => i)));
  const results = await Promise.all(answers);
  results.forEach(({ status, json }, c) => {
    assert.equal(status, 200);
    const details = json.details as { tests: { total: number }; assertions: number }[];
    assert.deepEqual(
      details.map((d) => [d.tests.total, d.assertions]),
      Array.from({ length: perClient }, (_, j) => [j + 1, (j + 1) * (c + 1)]),
      `client ${c}`,
    );
    assert.deepEqual(json.scores, [1, 1, 1]);
  });
  assert.deepEqual(await health(s.url).then((h) => [h.in_flight, h.queued, h.admitted]), [0, 0, 0]);
});

test("a client that disconnects mid-batch frees its queued runs; the running one finishes and others are served", async () => {
  const executor = new HeldExecutor();
  const s = await service({ executor, concurrency: 1, maxQueue: 10 });
  const body = JSON.stringify({ task_ids: Array(5).fill("t/1"), completions: Array.from({ length: 5 }, (_, j) => testFile(j + 1, 1)) });
  const req = request(`${s.url}/v1/score`, { method: "POST", headers: { "content-type": "application/json" } });
  req.on("error", () => undefined); // the reset this test causes
  req.end(body);
  await executor.untilStarted(1);
  assert.deepEqual(await health(s.url).then((h) => [h.in_flight, h.queued, h.admitted]), [1, 4, 5]);

  req.destroy();
  await s.logged(/^499 the client closed the connection/);
  assert.deepEqual(await health(s.url).then((h) => [h.in_flight, h.queued]), [1, 0], "the 4 queued runs were dropped at once");

  const next = post(s.url, { task_ids: ["t/1"], completions: [testFile(2, 2)] });
  executor.openAll();
  const answer = await next;
  assert.equal(answer.status, 200);
  assert.equal((answer.json.details as { assertions: number }[])[0]?.assertions, 4);
  assert.equal(executor.started, 2, "only the run that had started and the next client's run ever ran");
  assert.deepEqual(await health(s.url).then((h) => [h.in_flight, h.queued, h.admitted]), [0, 0, 0]);
});

test("OpenRLHF 0.11.2's request (one query, its prompt, the task id as label) gets rewards, scores and extra_logs", async () => {
  const s = await service({ reward: "quality" });
  // OpenRLHF decodes prompt + response tokens with skip_special_tokens=False: the EOS stays in the query
  const prompt = "<|im_start|>user\nWrite pytest tests for add.<|im_end|>\n<|im_start|>assistant\n";
  const query = `${prompt}\`\`\`python\n${testFile(1, 2)}\`\`\`<|im_end|>`;
  const { status, json } = await post(s.url, { query: [query], prompts: [prompt], labels: ["t/1"] });
  assert.equal(status, 200);
  assert.deepEqual(json.rewards, [1]);
  assert.deepEqual(json.scores, [1]);
  assert.deepEqual(json.extra_logs, { valid: [1] });
  assert.equal((json.details as { extraction: string }[])[0]?.extraction, "fenced");
});
