/**
 * solve: write the module from a natural-language description and the functions' signatures;
 * the task's reference tests judge it (code-answer.ts). Target: the reference code.
 */
import { DataError } from "../errors.js";
import type { Task } from "../tasks/schema.js";
import { checkCode, extractCode, passRateReward, signatures } from "./code-answer.js";
import type { TaskKind } from "./kind.js";

const CONSTRAINTS = "### Constraints: Python only, these exact names and parameters, no tests, no explanation.";

function description(task: Task): string {
  if (task.description === undefined || task.description.trim() === "") {
    throw new DataError("tasks file", `task ${task.id}`, "kind 'solve' needs a description of what to write", {
      hint: "prepare solve tasks with 'testtune data prepare --kinds solve' (it keeps only tasks that have one), or add a 'description' field",
    });
  }
  return task.description.trim();
}

export const solve: TaskKind = {
  name: "solve",
  instruction: (task) => [`### Task: Write ${task.module}.py`, "### Description", description(task), "### Signatures", signatures(task), CONSTRAINTS].join("\n"),
  target: (task) => task.code,
  extract: (completion, task) => extractCode(completion, task),
  check: (task, answer, ctx) => checkCode(task, answer, ctx),
  reward: passRateReward,
};
