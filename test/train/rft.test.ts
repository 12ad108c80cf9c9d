import assert from "node:assert/strict";
import { test } from "node:test";
import { keptFiles, type RftCandidate } from "../../src/train/rft.js";

let index = 0;
function candidate(task: string, tests: string, fields: Partial<RftCandidate> = {}): RftCandidate {
  return { task_id: task, round: 1, sample_index: index++, tests, valid: true, reward: 1, distinct_inputs: 1, ...fields };
}

const keep = (candidates: RftCandidate[], maxPerTask = 4, minReward = 1): string[] => keptFiles(candidates, { minReward, maxPerTask }).map((c) => `${c.task_id}:${c.tests}`);

test("only valid files whose reward reaches min_reward are kept: a weak valid file is no better than an invalid one", () => {
  const kept = keep([
    candidate("a", "strong"),
    candidate("a", "weak", { reward: 0 }),
    candidate("a", "wrong", { valid: false, reward: 1 }), // an invalid file is never kept, whatever its reward says
    candidate("b", "almost", { reward: 0.99 }),
  ]);
  assert.deepEqual(kept, ["a:strong"]);
  assert.deepEqual(keep([candidate("b", "almost", { reward: 0.99 })], 4, 0.5), ["b:almost"], "a lower bar keeps it");
});

test("a file sampled twice (in one round or two) is trained on once, and an empty extraction never", () => {
  const kept = keptFiles([candidate("a", "same\n"), candidate("a", "same", { round: 2, sample_index: 0 }), candidate("a", "   \n")], { minReward: 1, maxPerTask: 4 });
  assert.equal(kept.length, 1);
  assert.equal(kept[0]?.round, 1, "the earliest sample of it");
});

test("at most max_per_task files per task: highest reward, then most distinct inputs, then the earliest", () => {
  const candidates = [
    candidate("a", "one input", { distinct_inputs: 1 }),
    candidate("a", "three inputs", { distinct_inputs: 3 }),
    candidate("a", "lower reward, more inputs", { reward: 0.9, distinct_inputs: 5 }),
    candidate("a", "three inputs, later", { distinct_inputs: 3, round: 2, sample_index: 0 }),
    candidate("b", "other task"),
  ];
  assert.deepEqual(keep(candidates, 2, 0.5), ["a:three inputs", "a:three inputs, later", "b:other task"]);
  assert.deepEqual(keep(candidates, 4, 0.5), ["a:three inputs", "a:three inputs, later", "a:one input", "a:lower reward, more inputs", "b:other task"]);
});

test("nothing reaching the bar keeps nothing (the stage reports it with a hint)", () => {
  assert.deepEqual(keep([candidate("a", "x", { reward: 0.5 }), candidate("b", "y", { valid: false })]), []);
});
