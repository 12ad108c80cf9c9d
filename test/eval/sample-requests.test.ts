/** `testtune eval`'s prompts follow each task's kind, as the pipeline's do. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { sampleRequests } from "../../src/eval/evaluate.js";
import { kindOf } from "../../src/kinds/index.js";
import { kindPrompt } from "../../src/kinds/prompt.js";
import { buildPrompt } from "../../src/prompts/template.js";
import { taskSchema } from "../../src/tasks/schema.js";

const code = "def double(x):\n    return 2 * x\n";
const tests = "from solution import double\n\ndef test_double():\n    assert double(2) == 4\n";
const unitTest = taskSchema.parse({ id: "t/unit", source: "test", code, entry_points: ["double"], tests });
const solve = taskSchema.parse({ id: "t/solve", source: "test", kind: "solve", code, entry_points: ["double"], tests, description: "Return twice the number x." });

test("a solve task is asked for code, a task without a kind for tests; n requests per task", () => {
  const requests = sampleRequests([unitTest, solve], 2, {});
  assert.deepEqual(requests.map((r) => [r.task_id, r.sample_index]), [["t/unit", 0], ["t/unit", 1], ["t/solve", 0], ["t/solve", 1]]);
  assert.equal(requests[0]?.prompt, buildPrompt(unitTest));
  assert.equal(requests[2]?.prompt, kindPrompt(solve));
  assert.notEqual(requests[2]?.prompt, buildPrompt(solve));
  assert.match(requests[2]?.prompt ?? "", /Return twice the number x\./);
  assert.equal(requests[2]?.instruction, kindOf(solve).instruction(solve));
});
