/**
 * The registry of task kinds: a task's `kind` field (absent = unit_test) names one of these.
 * Adding a kind is one file in src/kinds/ and one line here.
 */
import { DataError } from "../errors.js";
import { TASK_KINDS, type KindName, type Task } from "../tasks/schema.js";
import type { TaskKind } from "./kind.js";
import { bugfix } from "./bugfix.js";
import { complete } from "./complete.js";
import { docstring } from "./docstring.js";
import { explain } from "./explain.js";
import { solve } from "./solve.js";
import { unitTest } from "./unit_test.js";

export type { KindCheck, KindContext, TaskKind } from "./kind.js";

export const KINDS: readonly TaskKind[] = [unitTest, solve, complete, bugfix, docstring, explain];

/** The kind name of a task (absent = unit_test). */
export function kindName(task: Pick<Task, "kind">): KindName {
  return task.kind ?? "unit_test";
}

/** The id of the task of `kind` made from source task `task` (unit_test keeps the source's id). */
export function kindTaskId(task: Pick<Task, "id">, kind: KindName): string {
  return kind === "unit_test" ? task.id : `${task.id}/${kind}`;
}

/** The definition of a task's kind; a kind the schema knows but no definition registers is a data error. */
export function kindOf(task: Pick<Task, "kind" | "id">): TaskKind {
  const name = kindName(task);
  const kind = KINDS.find((k) => k.name === name);
  if (kind === undefined) {
    throw new DataError("tasks file", `task ${task.id}`, `kind '${name}' has no definition in this build (known: ${KINDS.map((k) => k.name).join(", ")})`, {
      hint: `use one of ${KINDS.map((k) => k.name).join(", ")}; docs/kinds.md lists the kinds (schema names: ${TASK_KINDS.join(", ")})`,
    });
  }
  return kind;
}
