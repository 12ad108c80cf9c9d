/**
 * What the text kinds (docstring, explain) share: the function a task is about and its facts,
 * the code shown in their prompts, and the text of an answer in a completion.
 */
import { DataError } from "../errors.js";
import { cutAtEndMarker, splitFences } from "../prompts/extract.js";
import type { Task } from "../tasks/schema.js";
import { functionFacts, type FunctionFacts } from "./python-function.js";

const NEXT_HEADER = /^### /m;

/** The function a text task is about: `metadata.function` (a name or Class.method), else the first entry point. */
export function taskFunction(task: Task): string {
  const named = task.metadata["function"];
  const name = typeof named === "string" && named !== "" ? named : task.entry_points[0];
  if (name === undefined) {
    throw new DataError("tasks file", `task ${task.id}`, `kind '${task.kind}' needs the function to document: 'metadata.function' or an entry point`, {
      hint: `prepare ${task.kind} tasks with 'testtune data prepare --kinds ${task.kind}'`,
    });
  }
  return name;
}

/** The facts of the task's function in its reference code; a data error when it is not there. */
export async function taskFunctionFacts(task: Task): Promise<FunctionFacts> {
  const name = taskFunction(task);
  const facts = await functionFacts(task.code, name);
  if (facts === undefined) {
    throw new DataError("tasks file", `task ${task.id}`, `the code does not parse or defines no function '${name}'`, {
      hint: "a docstring or explain task's 'code' must define the function named by 'metadata.function' or its first entry point",
    });
  }
  return facts;
}

/**
 * The text of a completion's answer: cut at a chat end marker and at the next `### ` header; a
 * completion that is one fenced block is that block's body.
 */
export function extractText(completion: string): string {
  const text = cutAtEndMarker(completion);
  const header = NEXT_HEADER.exec(text);
  const cut = (header === null ? text : text.slice(0, header.index)).trim();
  const { before, fences } = splitFences(cut);
  if (fences.length === 1 && before.trim() === "" && /```\s*$/.test(cut)) return (fences[0] as { body: string }).body.trim();
  return cut;
}

/** Words in a text (runs of letters, digits, underscores). */
export function wordCount(text: string): number {
  return (text.match(/[\p{L}\p{N}_]+/gu) ?? []).length;
}

/** Text as a Python string literal (a JSON string is one), for test files the checks write. */
export function pyString(text: string): string {
  return JSON.stringify(text);
}
