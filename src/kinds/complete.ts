/**
 * complete: the signatures and docstrings are given (`given`), the model writes the bodies;
 * the reference tests judge the module (code-answer.ts). Target: the reference code. An answer
 * that is only an indented body (a base model continuing the given text) is appended to the
 * given code before it runs.
 */
import { DataError } from "../errors.js";
import type { Task } from "../tasks/schema.js";
import { fence } from "../prompts/template.js";
import { checkCode, extractCode, passRateReward } from "./code-answer.js";
import type { TaskKind } from "./kind.js";

const CONSTRAINTS = "### Constraints: keep the given signatures and docstrings, write the whole module, no tests, no explanation.";

function given(task: Task): string {
  if (task.given === undefined) {
    throw new DataError("tasks file", `task ${task.id}`, "kind 'complete' needs 'given': the signatures and docstrings to complete", {
      hint: "prepare complete tasks with 'testtune data prepare --kinds complete'",
    });
  }
  return task.given;
}

/** The module to run: the answer, or the given code followed by the answer when it is only a body. */
export function completedModule(task: Task, answer: string): string {
  const entry = task.entry_points[0];
  const defines = entry !== undefined && new RegExp(`^(?:async[ \\t]+)?def[ \\t]+${entry}\\b`, "m").test(answer);
  return !defines && /^[ \t]+\S/.test(answer) ? `${given(task).trimEnd()}\n${answer}` : answer;
}

export const complete: TaskKind = {
  name: "complete",
  instruction: (task) => [`### Task: Complete ${task.module}.py`, "### Given", fence(given(task)), CONSTRAINTS].join("\n"),
  target: (task) => task.code,
  extract: (completion, task) => extractCode(completion, task),
  check: (task, answer, ctx) => checkCode(task, answer.trim() === "" ? answer : completedModule(task, answer), ctx),
  reward: passRateReward,
};
