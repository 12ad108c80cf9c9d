/**
 * bugfix: the given code (`given`) is the reference with one injected bug (src/kinds/bugs.ts,
 * recorded in metadata.bug); the answer is the corrected module, and it passes only when the
 * reference tests pass on it. The bug is chosen among mutants the reference tests kill, so
 * echoing the given code back fails by construction. Target: the reference code.
 */
import { DataError } from "../errors.js";
import type { Task } from "../tasks/schema.js";
import { fence } from "../prompts/template.js";
import { checkCode, extractCode, passRateReward } from "./code-answer.js";
import type { TaskKind } from "./kind.js";

const CONSTRAINTS = "### Constraints: the code has one bug; answer with the whole corrected module, no tests, no explanation.";

function buggy(task: Task): string {
  if (task.given === undefined) {
    throw new DataError("tasks file", `task ${task.id}`, "kind 'bugfix' needs 'given': the code with the bug", {
      hint: "prepare bugfix tasks with 'testtune data prepare --kinds bugfix'",
    });
  }
  return task.given;
}

export const bugfix: TaskKind = {
  name: "bugfix",
  instruction: (task) =>
    [`### Task: Fix the bug in ${task.module}.py`, ...(task.description === undefined ? [] : ["### Description", task.description.trim()]), "### Code", fence(buggy(task)), CONSTRAINTS].join("\n"),
  target: (task) => task.code,
  extract: (completion, task) => extractCode(completion, task),
  check: (task, answer, ctx) => checkCode(task, answer, ctx),
  reward: passRateReward,
};
