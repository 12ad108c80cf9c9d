/** Resumable sampling into samples.jsonl with a fake backend, and the metrics read back from it. */
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { GeneratedSample, GenerationBackend, SampleRequest, SamplingParams } from "../../src/eval/backends/types.js";
import { compileRate, groupTable, GROUPINGS } from "../../src/eval/breakdown.js";
import { generationMetrics, readSampleRows, sampleModel, samplesFile } from "../../src/eval/generation.js";
import { isTesttuneError } from "../../src/errors.js";
import type { Task } from "../../src/tasks/schema.js";
import { quantile } from "../../src/util/stats.js";

/** Answers every request with `tokens` tokens after `latency` ms (reported, not waited), stopping after `stopAfter`. */
class FakeBackend implements GenerationBackend {
  readonly kind = "openai";
  asked: string[] = [];
  constructor(private readonly stopAfter = Number.POSITIVE_INFINITY) {}
  settings(): Record<string, unknown> {
    return { fake: true };
  }
  async *generate(requests: readonly SampleRequest[], _params: SamplingParams): AsyncIterable<GeneratedSample> {
    for (const [i, r] of requests.entries()) {
      if (i >= this.stopAfter) return; // as a backend does after Ctrl-C: the rest is not sampled
      this.asked.push(`${r.task_id}#${r.sample_index}`);
      yield { task_id: r.task_id, sample_index: r.sample_index, completion: `c${i}`, finish_reason: i % 2 === 0 ? "eos" : "length", num_tokens: 10 * (i + 1), latency_ms: 100 * (i + 1) };
    }
  }
  async close(): Promise<void> {}
}

const requests: SampleRequest[] = ["a", "b"].flatMap((task_id) => [0, 1].map((sample_index) => ({ task_id, sample_index, prompt: "p", instruction: "i" })));
const params = { temperature: 0.8, top_p: 0.95, max_new_tokens: 64, seed: 1 };

test("an interrupted session keeps its samples; the next asks only for the rest", async () => {
  const dir = mkdtempSync(join(tmpdir(), "testtune-gen-"));
  const first = await sampleModel({ backend: new FakeBackend(3), requests, params, dir, label: "t", quiet: true });
  assert.deepEqual(first, { generated: 3, skipped: 0, interrupted: true });
  const again = new FakeBackend();
  const second = await sampleModel({ backend: again, requests, params, dir, label: "t", quiet: true });
  assert.deepEqual(second, { generated: 1, skipped: 3, interrupted: false });
  assert.deepEqual(again.asked, ["b#1"]);
  assert.deepEqual(readSampleRows(samplesFile(dir)).map((r) => `${r.task_id}#${r.sample_index}`), ["a#0", "a#1", "b#0", "b#1"]);
  const metrics = generationMetrics(dir);
  assert.equal(metrics.samples, 4);
  assert.equal(metrics.tokens_per_sample, (10 + 20 + 30 + 10) / 4);
  assert.equal(metrics.truncated_rate, 0.25);
  assert.deepEqual(metrics.latency_ms, { p50: 150, p95: 285 }); // latencies 100, 200, 300 and 100 again
  assert.equal(metrics.backend, "openai");
});

test("a last line cut short is dropped and sampled again; a bad line before the end is an error naming it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "testtune-gen-"));
  await sampleModel({ backend: new FakeBackend(2), requests, params, dir, label: "t", quiet: true });
  appendFileSync(samplesFile(dir), '{"task_id": "b", "sample_in');
  const again = new FakeBackend();
  await sampleModel({ backend: again, requests, params, dir, label: "t", quiet: true });
  assert.deepEqual(again.asked, ["b#0", "b#1"]);
  assert.equal(readSampleRows(samplesFile(dir)).length, 4);
  writeFileSync(samplesFile(dir), `${readFileSync(samplesFile(dir), "utf8")}not json\n{"task_id": "a", "sample_index": 0}\n`);
  assert.throws(() => readSampleRows(samplesFile(dir)), (error: unknown) => isTesttuneError(error) && error.code === "E_DATA" && /line 5: not valid JSON/.test(error.message));
});

test("quantile interpolates between order statistics as numpy does", () => {
  // numpy.quantile([1, 2, 3, 4], [0.5, 0.95]) = [2.5, 3.85]; one value is every quantile; none is null.
  assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
  assert.ok(Math.abs((quantile([4, 1, 3, 2], 0.95) as number) - 3.85) < 1e-12);
  assert.equal(quantile([7], 0.95), 7);
  assert.equal(quantile([], 0.5), null);
});

test("per-category and per-difficulty tables; compile rate counts syntax errors only", () => {
  const task = (id: string, category: string | undefined, metadata: Record<string, unknown>): Task => ({ id, source: "t", code: "x = 1\n", module: "solution", entry_points: [], ...(category === undefined ? {} : { category }), metadata });
  const tasks = [task("1", "easy", { tier: 1 }), task("2", "easy", { difficulty: "hard" }), task("3", "hard", { gpt_difficulty: "medium" }), task("4", undefined, {})];
  const perTask = [
    { task_id: "1", n: 4, c: 4, mutation: 0.5, reward: 1 },
    { task_id: "2", n: 4, c: 1, mutation: 0.1, reward: 0 },
    { task_id: "3", n: 2, c: 0, mutation: 0, reward: 0 },
    { task_id: "4", n: 2, c: 2, mutation: 1, reward: 1 },
  ];
  assert.deepEqual(groupTable(tasks, perTask, GROUPINGS.category), {
    easy: { tasks: 2, "pass@1": (1 + 0.25) / 2, valid_rate: 5 / 8, mean_mutation_score: 0.3 },
    hard: { tasks: 1, "pass@1": 0, valid_rate: 0, mean_mutation_score: 0 },
  });
  assert.deepEqual(Object.keys(groupTable(tasks, perTask, GROUPINGS.difficulty) ?? {}), ["1", "hard", "medium"]);
  assert.equal(groupTable(tasks.slice(3), perTask, GROUPINGS.category), null);
  const score = (status: "passed" | "syntax_error" | "failed") => ({ task_id: "1", status, valid: status === "passed", reward: 0 });
  assert.equal(compileRate([score("passed"), score("syntax_error"), score("failed"), score("failed")]), 0.75);
});
