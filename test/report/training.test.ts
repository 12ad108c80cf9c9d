import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { lineChart } from "../../src/report/svg.js";
import { curveEnds, readTrainingCurves, smoothed, trainingTable } from "../../src/report/training.js";

function jsonl(file: string, rows: object[]): void {
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
}

test("training curves come from each stage's metrics.jsonl (reward variants included), skipping events without a step or the metric", async () => {
  const run = mkdtempSync(join(tmpdir(), "testtune-curves-"));
  mkdirSync(join(run, "sft"));
  mkdirSync(join(run, "grpo"));
  mkdirSync(join(run, "grpo_strength"));
  jsonl(join(run, "sft", "metrics.jsonl"), [
    { step: 10, loss: 2, tokens_per_s: 100 },
    { step: 20, loss: 1, tokens_per_s: 300 },
    { step: 20, train_runtime: 5 },
    { note: "no step" },
  ]);
  jsonl(join(run, "grpo", "metrics.jsonl"), [
    { step: 1, reward_mean: 0.1, valid_rate: 0 },
    { step: 2, reward_mean: 0.3, valid_rate: 0.5 },
  ]);
  jsonl(join(run, "grpo_strength", "metrics.jsonl"), [{ step: 1, reward_mean: 0.4, valid_rate: 0.25 }]);
  const curves = await readTrainingCurves(run);
  assert.deepEqual(
    curves.map((c) => [c.stage, c.metric, c.points, c.tokens_per_s]),
    [
      ["sft", "loss", [[10, 2], [20, 1]], 200],
      ["grpo", "reward_mean", [[1, 0.1], [2, 0.3]], null],
      ["grpo", "valid_rate", [[1, 0], [2, 0.5]], null],
      ["grpo_strength", "reward_mean", [[1, 0.4]], null], // a reward variant has rows of its own
      ["grpo_strength", "valid_rate", [[1, 0.25]], null],
    ],
  );
  const table = trainingTable(curves);
  assert.deepEqual(table.rows[0], ["sft", "loss", "20", "2.000", "1.000", "200"]);
  assert.deepEqual(table.rows[2], ["grpo", "valid_rate", "2", "0.0%", "50.0%", ""]);
});

test("curve ends average a tenth of the points; smoothing is a trailing moving average", () => {
  const points = Array.from({ length: 40 }, (_, i): [number, number] => [i + 1, i]);
  assert.deepEqual(curveEnds(points), { first: 1.5, last: 37.5 }); // windows of 4
  const s = smoothed(points);
  assert.equal(s.window, 2);
  assert.deepEqual(s.points.slice(0, 3), [[1, 0], [2, 0.5], [3, 1.5]]);
});

test("a line chart draws one path per series and escapes its labels", () => {
  const svg = lineChart("loss <by step>", [{ name: "a&b", points: [[1, 1], [2, 0.5]] }, { name: "c", points: [[1, 0]] }]);
  assert.equal(svg.match(/<path /g)?.length, 2);
  assert.match(svg, /loss &lt;by step&gt;/);
  assert.match(svg, /a&amp;b/);
});
