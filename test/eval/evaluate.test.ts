/**
 * `testtune eval` end to end through the OpenAI-compatible backend (a server started here):
 * an interrupted evaluation keeps its samples and the re-run asks only for the missing ones,
 * the sandbox scores them (isolation "none": the only code run is this file's), results.json
 * is a valid schema-2 file with the added metrics, and a changed setting is refused.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { evaluate, type EvaluateOptions } from "../../src/eval/evaluate.js";
import { parseModelSpecs } from "../../src/eval/model-spec.js";
import { readResults } from "../../src/eval/results-file.js";
import { isTesttuneError } from "../../src/errors.js";
import type { Task } from "../../src/tasks/schema.js";
import { readJsonlSync, writeJsonl } from "../../src/util/jsonl.js";
import { packageRoot } from "../../src/util/paths.js";
import { run } from "../../src/util/subprocess.js";

const root = mkdtempSync(join(tmpdir(), "testtune-eval-"));
const tasks: Task[] = [
  { id: "t/add", source: "test", code: "def add(a, b):\n    return a + b\n", module: "solution", entry_points: ["add"], category: "arith", metadata: { tier: 1 } },
  { id: "t/neg", source: "test", code: "def neg(x):\n    return -x\n", module: "solution", entry_points: ["neg"], category: "unary", metadata: { tier: 2 } },
];
const VALID = { "t/add": "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n", "t/neg": "from solution import neg\n\ndef test_neg():\n    assert neg(2) == -2\n" };

// The served model "good" writes a valid test for add and a syntax error for neg; "bad" a failing test for both.
let served = 0;
let holdFrom = Number.POSITIVE_INFINITY;
let onHold: (() => void) | undefined;
const server = createServer((req, res: ServerResponse) => {
  let text = "";
  req.on("data", (c: Buffer) => (text += c.toString()));
  req.on("end", () => {
    const body = JSON.parse(text) as { prompt: string; model: string };
    served += 1;
    if (served >= holdFrom) return onHold?.(); // never answered: the evaluation is interrupted meanwhile
    const task = body.prompt.includes("def add") ? "t/add" : "t/neg";
    const completion = body.model === "bad" ? `from solution import *\n\ndef test_x():\n    assert False\n` : task === "t/add" ? VALID[task] : "def test_(:\n";
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ choices: [{ text: completion, finish_reason: "stop" }], usage: { completion_tokens: 10 } }));
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
after(() => {
  server.closeAllConnections();
  server.close();
});

async function options(out: string, signal?: AbortSignal, temperature = 0.8): Promise<EvaluateOptions> {
  return {
    models: await parseModelSpecs([`good=${url}#good`, `${url}#bad`]),
    tasks,
    tasksFile: "tasks.jsonl",
    out,
    n: 2,
    ks: [1, 2],
    params: { temperature, top_p: 0.95, max_new_tokens: 64, seed: 3 },
    backend: { api: "completions", concurrency: 1 },
    scoring: { reward: "quality", mutants: false, coverage: false, timeoutS: 30, strongAt: 0.8, workers: 1, isolation: "none" },
    command: ["testtune", "eval", "(test)"],
    quiet: true,
    signal,
    log: () => undefined,
  };
}

test("an interrupted eval keeps its samples; the re-run samples only the rest, scores, and writes results.json", async () => {
  const out = join(root, "e1");
  const controller = new AbortController();
  holdFrom = 4; // the 4th request hangs; the interrupt comes while it waits
  onHold = () => controller.abort();
  const first = await evaluate(await options(out, controller.signal));
  assert.equal(first.interrupted, true);
  const kept = readJsonlSync(join(out, "good", "samples.jsonl")) as { task_id: string; sample_index: number; backend: string }[];
  assert.equal(kept.length, 3);
  assert.ok(kept.every((s) => s.backend === "openai"));

  holdFrom = Number.POSITIVE_INFINITY;
  served = 0;
  const second = await evaluate(await options(out));
  assert.equal(served, 1 + 4, "one missing sample of 'good', then the four of 'bad'");
  assert.equal(second.interrupted, false);
  const samples = readJsonlSync(join(out, "good", "samples.jsonl")) as { task_id: string; sample_index: number }[];
  assert.deepEqual(samples.map((s) => `${s.task_id}#${s.sample_index}`).sort(), ["t/add#0", "t/add#1", "t/neg#0", "t/neg#1"]);

  const results = readResults(join(out, "results.json"));
  assert.equal(results.baseline, "good");
  assert.deepEqual(results["pass@1"], { good: 0.5, bad: 0 });
  const good = results.models[0] as unknown as Record<string, unknown> & { generation: { tokens_per_sample: number; samples: number; tokens_per_second: number | null; latency_ms: { p50: number } } };
  assert.equal(good.backend, "openai");
  assert.equal(good.compile_rate, 0.5);
  assert.equal(good.generation.samples, 4);
  assert.equal(good.generation.tokens_per_sample, 10);
  assert.ok(good.generation.latency_ms.p50 >= 0);
  assert.deepEqual(good.per_category, { arith: { tasks: 1, "pass@1": 1, valid_rate: 1, mean_mutation_score: 0 }, unary: { tasks: 1, "pass@1": 0, valid_rate: 0, mean_mutation_score: 0 } });
  assert.deepEqual(Object.keys(good.per_difficulty as object), ["1", "2"]);
  assert.ok(results.comparisons.some((c) => c.baseline === "good" && c.model === "bad" && c.metric === "pass@1"));

  const record = JSON.parse(readFileSync(join(out, "eval.json"), "utf8")) as { identity: { n: number; seed: number; tasks: { sha256: string } }; models: { name: string; sha256: string | null; backend: { api: string } }[]; versions: { testtune: string } };
  assert.equal(record.identity.n, 2);
  assert.match(record.identity.tasks.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(record.models.map((m) => [m.name, m.sha256, m.backend.api]), [["good", null, "completions"], ["bad", null, "completions"]]);
  assert.equal(typeof record.versions.testtune, "string");

  // Re-running the finished evaluation asks the server for nothing.
  served = 0;
  await evaluate(await options(out));
  assert.equal(served, 0);
});

test("a directory made with other sampling settings is refused, naming the field", async () => {
  const out = join(root, "e1");
  await assert.rejects(evaluate(await options(out, undefined, 0.2)), (error: unknown) => isTesttuneError(error) && error.code === "E_CONFIG" && /field 'temperature': this directory was made with 0.8, now 0.2/.test(error.message));
});

test("k above n, a baseline that is not a model and a bad temperature are usage errors", async () => {
  const out = join(root, "e2");
  await assert.rejects(evaluate({ ...(await options(out)), ks: [1, 5] }), /--k 5: each k must be an integer from 1 to --n \(2\)/);
  await assert.rejects(evaluate({ ...(await options(out)), baseline: "nobody" }), /--baseline nobody is not one of the models \(good, bad\)/);
  await assert.rejects(evaluate({ ...(await options(out)), params: { temperature: -1, top_p: 1, max_new_tokens: 8, seed: 0 } }), /--temperature must be >= 0/);
});

test("the CLI: flags reach the evaluation, the tables are printed; a wrong --api is a usage error", async () => {
  const cli = join(packageRoot, "dist", "src", "cli", "main.js");
  const tasksFile = join(root, "cli-tasks.jsonl");
  writeJsonl(tasksFile, tasks);
  const out = join(root, "cli");
  const args = [cli, "eval", "--model", `${url}#good`, "--tasks", tasksFile, "--n", "1", "--temperature", "0", "--out", out, "--api", "completions", "--no-mutants", "--isolation", "none", "--workers", "1", "--quiet"];
  const ok = await run(process.execPath, args, { timeoutMs: 120_000 });
  assert.equal(ok.exitCode, 0, ok.stderr);
  assert.match(ok.stdout, /\| good \| 50\.0% \|/);
  assert.match(ok.stdout, /\| good \| openai \| 50\.0% \| 10\.0 \|/);
  const record = JSON.parse(readFileSync(join(out, "eval.json"), "utf8")) as { identity: { n: number; temperature: number }; ks: number[] };
  assert.deepEqual([record.identity.n, record.identity.temperature, record.ks], [1, 0, [1]]);
  const bad = await run(process.execPath, [...args, "--api", "grpc"], { timeoutMs: 60_000 });
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, /--api must be chat or completions, got 'grpc'/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /, "no stack trace");
});
