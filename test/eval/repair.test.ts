import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { repairLoop, type FirstAttempt, type RoundGenerator } from "../../src/eval/repair.js";
import { repairResults } from "../../src/eval/repair-results.js";
import { SandboxPool } from "../../src/sandbox/pool.js";
import type { Task } from "../../src/tasks/schema.js";
import { readJsonlSync, writeJsonl } from "../../src/util/jsonl.js";

const task: Task = { id: "t/add", source: "test", code: "def add(a, b):\n    return a + b\n", module: "solution", entry_points: ["add"], metadata: {} };
const WRONG = "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 4\n";
const STILL_WRONG = "from solution import add\n\ndef test_add():\n    assert add(2, 2) == 5\n";
const FIXED = "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n";
// passes on the code but checks nothing: not valid, so it must never become a trace
const EMPTY = "from solution import add\n\ndef test_add():\n    add(1, 2)\n";

let pool: SandboxPool;
before(async () => {
  pool = await SandboxPool.start({ workers: 1, defaultTimeoutS: 10 });
});
after(async () => {
  await pool.close();
});

/** A scripted model: for each round, the completion each chain's repair prompt gets. */
function scripted(byRound: Record<number, Record<string, string>>, prompts: string[][]): RoundGenerator {
  return async (job) => {
    const rows = readJsonlSync(job.prompts) as { task_id: string; prompt: string }[];
    prompts[job.round] = rows.map((r) => r.prompt);
    writeJsonl(job.samples, rows.map((r) => ({ task_id: r.task_id, sample_index: 0, completion: (byRound[job.round] as Record<string, string>)[r.task_id] as string })));
  };
}

const settings = { rounds: 2, sampling: { temperature: 0.8, top_p: 0.95, max_new_tokens: 64, batch_size: 4 }, seed: 1, reward: "quality" as const, quiet: true };

test("a trace is written only for a repair whose new file really passes on the code", async () => {
  const outDir = mkdtempSync(join(tmpdir(), "repair-"));
  const first: FirstAttempt[] = [
    { task_id: task.id, sample_index: 0, completion: WRONG, valid: false, reward: 0, failure_log: "outcome: failed (1 of 1 tests failed)\ntest_add: assert 3 == 4" },
    { task_id: task.id, sample_index: 1, completion: WRONG, valid: false, reward: 0, failure_log: "outcome: failed (1 of 1 tests failed)\ntest_add: assert 3 == 4" },
    { task_id: task.id, sample_index: 2, completion: FIXED, valid: true, reward: 0.5 },
  ];
  const prompts: string[][] = [];
  const generate = scripted({ 1: { "t/add#0": FIXED, "t/add#1": STILL_WRONG }, 2: { "t/add#1": EMPTY } }, prompts);
  const outcome = await repairLoop({ model: { model: "unused" }, tasks: [task], first, outDir, executor: pool, settings, generate });

  assert.deepEqual(outcome.rounds, [{ round: 1, attempted: 2, fixed: 1 }, { round: 2, attempted: 1, fixed: 0 }]);
  assert.equal(outcome.traces.length, 1);
  const [trace] = outcome.traces;
  assert.equal(trace?.round, 1);
  assert.equal(trace?.failed_test.trim(), WRONG.trim());
  assert.match(trace?.failure_log ?? "", /assert 3 == 4/);
  assert.equal(trace?.fixed_test.trim(), FIXED.trim());
  assert.ok((trace?.reward ?? 0) > 0);
  // round 2 shows the chain its own round-1 file and the log the sandbox wrote for it
  assert.equal(prompts[2]?.length, 1);
  assert.match(prompts[2]?.[0] ?? "", /add\(2, 2\) == 5/);
  assert.match(prompts[2]?.[0] ?? "", /assert 4 == 5/);
  // the valid sample is never shown a repair prompt
  assert.equal(prompts[1]?.length, 2);
  assert.deepEqual(outcome.validByRound.get(task.id), [1, 2, 2]);

  const results = repairResults(outcome, 2, 1);
  assert.deepEqual(results["pass@1_by_round"].map((p) => Number(p.toFixed(4))), [0.3333, 0.6667, 0.6667]);
  assert.equal(results.traces, 1);
  const scores = readFileSync(join(outDir, "round-2", "scores.jsonl"), "utf8");
  assert.match(scores, /"valid":false/);
});

test("a re-run reads finished rounds back without starting the model again", async () => {
  const outDir = mkdtempSync(join(tmpdir(), "repair-"));
  const first: FirstAttempt[] = [{ task_id: task.id, sample_index: 0, completion: WRONG, valid: false, reward: 0, failure_log: "outcome: failed" }];
  const script = { 1: { "t/add#0": STILL_WRONG }, 2: { "t/add#0": FIXED } };
  await repairLoop({ model: { model: "unused" }, tasks: [task], first, outDir, executor: pool, settings, generate: scripted(script, []) });
  let calls = 0;
  const counting: RoundGenerator = async () => {
    calls += 1;
  };
  const again = await repairLoop({ model: { model: "unused" }, tasks: [task], first, outDir, executor: pool, settings, generate: counting });
  assert.equal(calls, 0);
  assert.deepEqual(again.traces.map((t) => t.round), [2]);
});
