import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { compareByRound, repairResults } from "../../src/eval/repair-results.js";
import type { RepairOutcome } from "../../src/eval/repair.js";
import type { EvalSummary } from "../../src/eval/summary.js";
import { repairComparisonTable, repairTable } from "../../src/report/repair.js";
import { readTrainingCurves } from "../../src/report/training.js";

/** Two tasks, two samples each: which samples are valid after rounds 0, 1 and 2. */
function outcome(valid: Record<string, number[]>, fixed: number[]): RepairOutcome {
  return {
    validByRound: new Map(Object.entries(valid)),
    chainsPerTask: new Map(Object.keys(valid).map((k) => [k, 2])),
    rounds: fixed.map((f, i) => ({ round: i + 1, attempted: 4, fixed: f })),
    traces: [],
  };
}

test("pass@1 by round is the mean over tasks of valid samples after r repairs, each round paired with round 0", () => {
  const results = repairResults(outcome({ a: [0, 1, 2], b: [1, 1, 2] }, [1, 2]), 2, 7);
  assert.deepEqual(results["pass@1_by_round"], [0.25, 0.5, 1]);
  assert.equal(results.per_round[2]?.vs_round0?.mean_diff, 0.75);
  assert.equal(results.per_round[2]?.vs_round0?.wins, 2);
});

test("the report shows pass@1 per round per model and each model against the baseline at each round", () => {
  const b = repairResults(outcome({ a: [0, 0, 1], b: [0, 1, 1] }, [1, 1]), 2, 7);
  const c = repairResults(outcome({ a: [1, 2, 2], b: [0, 1, 2] }, [2, 1]), 2, 7);
  const strip = ({ per_task: _p, ...rest }: typeof b): Omit<typeof b, "per_task"> => rest;
  const summary = {
    models: [
      { model: "sft/B", "pass@1_by_round": b["pass@1_by_round"], repair: strip(b) },
      { model: "sft/C", "pass@1_by_round": c["pass@1_by_round"], repair: strip(c) },
    ],
    repair_comparisons: compareByRound(new Map([["sft/B", b], ["sft/C", c]]), "sft/B", 7),
  } as unknown as EvalSummary;
  const table = repairTable(summary);
  assert.deepEqual(table?.rows[1]?.slice(0, 4), ["sft/C", "25.0%", "75.0%", "100.0%"]);
  assert.equal(table?.rows[1]?.at(-2), "2 of 4");
  const vs = repairComparisonTable(summary);
  assert.deepEqual(vs?.rows.map((r) => [r[0], r[2], r[3]?.split(" ")[0]]), [["sft/C", "0", "+25.0"], ["sft/C", "1", "+50.0"], ["sft/C", "2", "+50.0"]]);
  assert.equal(repairTable({ models: [{ model: "sft" }] } as unknown as EvalSummary), null);
});

test("each curriculum stage is a training row of its own, in the order the stages ran, with its dev loss", async () => {
  const run = mkdtempSync(join(tmpdir(), "testtune-curriculum-curves-"));
  for (const [name, started] of [["B", "2026-01-01T00:02:00Z"], ["A", "2026-01-01T00:01:00Z"]] as const) {
    mkdirSync(join(run, "sft", name), { recursive: true });
    writeFileSync(join(run, "sft", name, "status.json"), JSON.stringify({ stage: `sft/${name}`, status: "complete", started_at: started }));
    writeFileSync(join(run, "sft", name, "metrics.jsonl"), `${JSON.stringify({ step: 1, loss: 2 })}\n${JSON.stringify({ step: 2, loss: 1, eval_loss: 1.5 })}\n`);
  }
  const curves = await readTrainingCurves(run);
  assert.deepEqual(curves.map((c) => [c.stage, c.metric, c.points.length]), [["sft/A", "loss", 2], ["sft/A", "eval_loss", 1], ["sft/B", "loss", 2], ["sft/B", "eval_loss", 1]]);
});
