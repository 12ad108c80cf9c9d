import assert from "node:assert/strict";
import { test } from "node:test";
import { bestKeptSamples } from "../../src/pipeline/stages/selfgen.js";
import type { SampleScore } from "../../src/quality/score.js";

function score(task: string, index: number, valid: boolean, mutation: number | null, reward = 0): SampleScore {
  return { task_id: task, sample_index: index, sample_line: index + 1, valid, mutation: mutation === null ? null : { score: mutation }, reward } as SampleScore;
}

const samples = ["a", "b", "c"].flatMap((task) => [0, 1, 2].map((i) => ({ task_id: task, sample_index: i, completion: `${task}${i}` })));

test("rejection sampling keeps, per task, the valid file that kills the most mutants", () => {
  const kept = bestKeptSamples(samples, [
    score("a", 0, true, 0.2),
    score("a", 1, true, 0.6),
    score("a", 2, false, 0.9), // invalid files never count, whatever they kill
    score("b", 0, true, 0), // valid but kills nothing: rejected
    score("b", 1, false, null),
    score("c", 0, true, 0.5, 0.1),
    score("c", 1, true, 0.5, 0.3), // a tie on mutants is broken by the reward
  ]);
  assert.deepEqual([...kept].map(([id, s]) => [id, s.completion]), [["a", "a1"], ["c", "c1"]]);
});

test("a score without its sample (an interrupted generation) is skipped, not an error", () => {
  assert.equal(bestKeptSamples([], [score("a", 0, true, 1)]).size, 0);
});
