import assert from "node:assert/strict";
import { after, test } from "node:test";
import { startRewardService, type RewardService, type RewardServiceOptions } from "../../src/quality/service.js";
import type { ExecRequest, ExecResult } from "../../src/sandbox/types.js";
import { taskSchema } from "../../src/tasks/schema.js";
import { FakeExecutor } from "./fake-executor.js";

const task = taskSchema.parse({ id: "t/1", source: "test", code: "def add(a, b):\n    return a + b\n", entry_points: ["add"] });
const tasks = new Map([[task.id, task]]);
const PASSING = "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n";
const FAILING = `${PASSING}# status: failed\n`;

const started: RewardService[] = [];
after(async () => {
  for (const s of started) await s.close();
});

async function service(options: Partial<RewardServiceOptions> = {}): Promise<RewardService> {
  const s = await startRewardService({ tasks, executor: new FakeExecutor(), port: 0, ...options });
  started.push(s);
  return s;
}

async function post(s: RewardService, body: unknown, path = "/v1/score"): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${s.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test("GET /health reports the service settings", async () => {
  const s = await service({ reward: "staged", concurrency: 3 });
  assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await fetch(`${s.url}/health`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "ok", tasks: 1, reward: "staged", mutants: false, coverage: false, in_flight: 0, queued: 0, admitted: 0, capacity: 3 + 1024 });
});

test("task_ids + completions score in order, with details", async () => {
  const s = await service({ reward: "staged" });
  const { status, json } = await post(s, { task_ids: ["t/1", "t/1", "t/1"], completions: [PASSING, FAILING, "no tests here"] });
  assert.equal(status, 200);
  assert.deepEqual(json.scores, [1, 0.3, 0]);
  assert.deepEqual(json.rewards, json.scores);
  const details = json.details as Record<string, unknown>[];
  assert.deepEqual(details.map((d) => [d.status, d.valid]), [["passed", true], ["failed", false], ["syntax_error", false]]);
});

test("the items shape and OpenRLHF's query/prompts/labels shape give the same scores", async () => {
  const s = await service();
  const items = await post(s, { items: [{ task_id: "t/1", completion: PASSING }, { task_id: "t/1", completion: FAILING }] });
  assert.deepEqual(items.json.scores, [1, 0]);
  const prompt = "### Task: Write pytest tests for solution.py\n### Tests\n";
  const openrlhf = await post(s, { query: [prompt + PASSING, prompt + FAILING], prompts: [prompt, prompt], labels: ["t/1", "t/1"] });
  assert.deepEqual(openrlhf.json.rewards, [1, 0]);
});

test("an empty batch is an empty answer", async () => {
  const { status, json } = await post(await service(), { task_ids: [], completions: [] });
  assert.equal(status, 200);
  assert.deepEqual(json.scores, []);
});

test("bad requests get 400 naming the field", async () => {
  const s = await service();
  const cases: [unknown, RegExp, string][] = [
    ["{not json", /not valid JSON/, ""],
    [[1, 2], /must be a JSON object/, ""],
    [{ prompts: [] }, /expected \{task_ids, completions\}/, ""],
    [{ task_ids: "t/1", completions: [PASSING] }, /'task_ids' must be a list of strings/, "task_ids"],
    [{ task_ids: ["t/1"], completions: [PASSING, PASSING] }, /'task_ids' has 1 entries but 'completions' has 2/, "completions"],
    [{ task_ids: ["t/1", "t/1"], completions: [PASSING, null] }, /'completions\[1\]' must be a string, got null/, "completions[1]"],
    [{ items: [{ task_id: "t/1" }] }, /'items\[0\]\.completion' must be a string/, "items[0].completion"],
    [{ items: {} }, /'items' must be a list/, "items"],
    [{ query: ["abc"], prompts: ["xyz"], labels: ["t/1"] }, /'query\[0\]' does not start with 'prompts\[0\]'/, "query[0]"],
    [{ query: ["abc"], prompts: ["a"] }, /'labels' must be a list/, "labels"],
  ];
  for (const [body, message, field] of cases) {
    const { status, json } = await post(s, body);
    assert.equal(status, 400, JSON.stringify(body));
    assert.match(String(json.error), message);
    assert.equal(json.field, field);
  }
});

test("unknown task ids get 404 naming the position", async () => {
  const s = await service();
  const { status, json } = await post(s, { task_ids: ["t/1", "nope"], completions: [PASSING, PASSING] });
  assert.equal(status, 404);
  assert.equal(json.error, "unknown task id 'nope' at task_ids[1]");
  const items = await post(s, { items: [{ task_id: "nope", completion: "" }] });
  assert.equal(items.json.field, "items[0].task_id");
});

test("unknown routes get 404 and wrong methods 405", async () => {
  const s = await service();
  assert.equal((await post(s, {}, "/v2/score")).status, 404);
  assert.equal((await fetch(`${s.url}/v1/score`)).status, 405);
  assert.equal((await post(s, {}, "/health")).status, 405);
});

test("an oversized body gets 413", async () => {
  const s = await service({ maxBodyBytes: 1000 });
  const { status, json } = await post(s, { task_ids: ["t/1"], completions: ["x".repeat(5000)] });
  assert.equal(status, 413);
  assert.match(String(json.error), /limit/);
});

test("a sandbox failing twice on an item gets 503", async () => {
  const s = await service();
  const { status, json } = await post(s, { task_ids: ["t/1", "t/1"], completions: [PASSING, `${PASSING}# status: sandbox_error\n`] });
  assert.equal(status, 503);
  assert.match(String(json.error), /item 1/);
});

/** An executor whose runs finish only when the test releases them, counting what runs at once. */
class GatedExecutor {
  running = 0;
  maxRunning = 0;
  started = 0;
  private readonly gates: (() => void)[] = [];
  private readonly inner = new FakeExecutor();
  async exec(request: ExecRequest): Promise<ExecResult> {
    this.started += 1;
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    await new Promise<void>((resolve) => this.gates.push(resolve));
    this.running -= 1;
    return this.inner.exec(request);
  }
  releaseAll(): void {
    this.gates.splice(0).forEach((open) => open());
  }
}

test("sandbox runs over all requests never exceed the concurrency limit", async () => {
  const executor = new GatedExecutor();
  const s = await service({ executor, concurrency: 2 });
  const pending = [post(s, { task_ids: ["t/1", "t/1", "t/1"], completions: [PASSING, PASSING, PASSING] }), post(s, { task_ids: ["t/1", "t/1"], completions: [PASSING, PASSING] })];
  while (executor.started < 5) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    executor.releaseAll();
  }
  executor.releaseAll();
  const answers = await Promise.all(pending);
  assert.deepEqual(answers.map((a) => a.json.scores), [[1, 1, 1], [1, 1]]);
  assert.equal(executor.maxRunning, 2);
});

test("a request over its time limit gets 504 and its queued runs never start", async () => {
  const executor = new GatedExecutor();
  const s = await service({ executor, concurrency: 1, timeoutS: 0.3 });
  const { status, json } = await post(s, { task_ids: ["t/1", "t/1", "t/1"], completions: [PASSING, PASSING, PASSING] });
  assert.equal(status, 504);
  assert.match(String(json.error), /longer than 0.3 s/);
  // Under load the limit may pass before the first run starts (the static analysis is a Python
  // process): what must hold either way is that nothing not yet started by then ever starts.
  const startedBy504 = executor.started;
  assert.ok(startedBy504 <= 1, `${startedBy504} runs started with concurrency 1`);
  executor.releaseAll();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(executor.started, startedBy504);
  const health = (await (await fetch(`${s.url}/health`)).json()) as Record<string, unknown>;
  assert.deepEqual([health.in_flight, health.queued], [0, 0]);
});

test("a port in use is a clear error", async () => {
  const s = await service();
  const port = Number(new URL(s.url).port);
  await assert.rejects(startRewardService({ tasks, executor: new FakeExecutor(), port }), /cannot listen on 127\.0\.0\.1:\d+.*EADDRINUSE/);
});

test("with strength and max_mutants, each request (a training step) draws its own seeded sample of the task's mutants", async () => {
  const many = taskSchema.parse({ id: "t/2", source: "test", code: "def f(a, b):\n    if a > 1:\n        return a + b * 2\n    return b - 3\n", entry_points: ["f"] });
  const file = "from solution import f\n\ndef test_f():\n    assert f(2, 1) == 4\n";
  const run = async (): Promise<string[]> => {
    const executor = new FakeExecutor();
    const s = await service({ executor, tasks: new Map([[many.id, many]]), reward: "strength", mutants: true, maxMutants: 1, mutantSeed: 5 });
    for (let step = 0; step < 6; step++) {
      const { status, json } = await post(s, { task_ids: ["t/2", "t/2"], completions: [file, file] });
      assert.equal(status, 200);
      assert.deepEqual(json.scores, [0.25 + 0.75 * 0.75, 0.25 + 0.75 * 0.75], "strength measures mutants in the service");
    }
    // the mutant runs (not the probe, which gets the reference as an extra file): one mutant each
    const lists = executor.requests.filter((r) => r.mutant_list !== undefined && r.files === undefined).map((r) => (r.mutant_list ?? []).map((m) => m.id).join(","));
    assert.ok(lists.every((l) => l.split(",").length === 1));
    return lists;
  };
  const first = await run();
  assert.equal(first.length, 12);
  for (let step = 0; step < 6; step++) assert.equal(first[2 * step], first[2 * step + 1], "a request's samples (one GRPO group) share their mutants");
  assert.ok(new Set(first).size > 1, "steps draw different mutants");
  assert.deepEqual(await run(), first, "the same seed draws the same samples");
});
