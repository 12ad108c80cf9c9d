/**
 * docstring and explain tasks made from source tasks (a module, and reference tests or a
 * description where the source has them). The task of kind K made from task T has the id
 * `T.id/K`, T's split and category, and `metadata.function`: the function it is about
 * (`metadata.qualname` of a corpus unit, else T's last entry point: TinyTests helpers come
 * before the function that uses them).
 *
 * - docstring: a function with its own docstring gets it as the target (`answer`, quoted as
 *   written) and `given` is the code without it; a function without one gets a Google-style
 *   docstring written from what the task knows (function-doc.ts: its description, argument and
 *   result types and examples from its reference tests), inserted into `code`, and `given` is
 *   the code as it was.
 * - explain: a reference explanation from the function's docstring or description, its
 *   signature and its reference tests' examples (function-doc.ts).
 * Every reference answer is checked by its kind (examples in a docstring or an explanation only when a sandbox
 * is given: they run). A reference testtune wrote (explanations, docstrings written from what is
 * known) that fails is dropped with the outcome as its reason; a function's own docstring is
 * kept whatever its check says (it is the source's answer, and few codebases write Google
 * style), and the counts say how many own docstrings pass (`reference_passed`).
 * Every task a kind cannot be made from is counted by kind and reason.
 */
import type { Executor } from "../quality/score.js";
import type { Task } from "../tasks/schema.js";
import { checkDocstring } from "./docstring.js";
import { checkExplanation } from "./explain.js";
import { explanation, gatherDoc, googleDocstring } from "./function-doc.js";
import { kindTaskId } from "./index.js";
import { functionFacts, quoteDocstring, stripDocstring, type FunctionFacts } from "./python-function.js";

export const TEXT_KINDS = ["docstring", "explain"] as const;
export type TextKind = (typeof TEXT_KINDS)[number];

export interface TextTasksOptions {
  /** The sandbox: docstring references with examples are run, and dropped when they fail. */
  executor?: Executor;
  timeoutS?: number;
}

export interface KindCounts {
  made: number;
  dropped: Record<string, number>;
  /** Made tasks whose reference answer passes the kind's check; unchecked: not run (examples without a sandbox). */
  reference_passed: number;
  reference_unchecked: number;
}

export interface TextTasksResult {
  /** Made tasks, by the id of the task they were made from. */
  byKind: Record<TextKind, Map<string, Task>>;
  counts: Record<TextKind, KindCounts>;
}

/** The function a source task's text tasks are about. */
export function sourceFunction(task: Task): string | undefined {
  const qualname = task.metadata["qualname"];
  return typeof qualname === "string" && qualname !== "" ? qualname : task.entry_points[task.entry_points.length - 1];
}

/**
 * `code` with `docstring` (cleaned text) inserted as the first statement of the function, at
 * its body's own indentation (tabs and two-space bodies exist); undefined for a body written on
 * the `def` line.
 */
export function insertDocstring(code: string, facts: FunctionFacts, docstring: string): string | undefined {
  if (facts.bodyIndent === undefined) return undefined;
  const lines = code.split("\n");
  const at = facts.line + facts.signature.split("\n").length; // the line after the def's colon
  return [...lines.slice(0, at), quoteDocstring(docstring, facts.bodyIndent), ...lines.slice(at)].join("\n");
}

function derived(task: Task, kind: TextKind, name: string, fields: Partial<Task>): Task {
  return { ...task, ...fields, id: kindTaskId(task, kind), kind, metadata: { ...task.metadata, function: name } };
}

async function docstringTask(task: Task, name: string, facts: FunctionFacts): Promise<Task | string> {
  if (facts.onlyDocstring) return "body is only a docstring";
  if (facts.docstring !== undefined && facts.docstring.trim() !== "") {
    return derived(task, "docstring", name, { given: stripDocstring(task.code, facts), answer: quoteDocstring(facts.docstring, "") });
  }
  const doc = gatherDoc(facts, task);
  if (doc === undefined) return "no docstring and no description";
  const text = googleDocstring(doc);
  const code = insertDocstring(task.code, facts, text);
  if (code === undefined) return "body on the def line";
  return derived(task, "docstring", name, { code, given: task.code, answer: quoteDocstring(text, "") });
}

function explainTask(task: Task, name: string, facts: FunctionFacts): Task | string {
  const doc = gatherDoc(facts, task);
  if (doc === undefined) return "not documented (no docstring, no description)";
  return derived(task, "explain", name, { answer: explanation(doc) });
}

/** The outcome of a made task's reference answer under its kind's check; undefined when its examples cannot run without a sandbox. */
async function referenceOutcome(task: Task, options: TextTasksOptions): Promise<string | undefined> {
  const answer = task.answer as string;
  const ctx = options.executor === undefined ? undefined : { executor: options.executor, ...(options.timeoutS === undefined ? {} : { timeoutS: options.timeoutS }) };
  if (task.kind === "explain") {
    const check = await checkExplanation(task, answer, ctx); // the executor is used only for its stated examples
    return check.details?.examples_unchecked !== undefined && check.outcome === "passed" ? undefined : check.outcome;
  }
  if (ctx === undefined && /^\s*>>> /m.test(answer)) return undefined;
  return (await checkDocstring(task, answer, ctx)).outcome; // the executor is used only for examples
}

/** The docstring and explain tasks of `kinds` made from `source` (see the module comment). */
export async function textKindTasks(source: readonly Task[], kinds: readonly TextKind[], options: TextTasksOptions = {}): Promise<TextTasksResult> {
  const byKind = { docstring: new Map<string, Task>(), explain: new Map<string, Task>() };
  const counts: Record<TextKind, KindCounts> = {
    docstring: { made: 0, dropped: {}, reference_passed: 0, reference_unchecked: 0 },
    explain: { made: 0, dropped: {}, reference_passed: 0, reference_unchecked: 0 },
  };
  const drop = (kind: TextKind, reason: string): void => {
    counts[kind].dropped[reason] = (counts[kind].dropped[reason] ?? 0) + 1;
  };
  for (const task of source) {
    const name = sourceFunction(task);
    const facts = name === undefined ? undefined : await functionFacts(task.code, name);
    for (const kind of kinds) {
      if (name === undefined || facts === undefined) {
        drop(kind, name === undefined ? "no entry point" : "the function is not in its code (or the code does not parse)");
        continue;
      }
      const made = kind === "docstring" ? await docstringTask(task, name, facts) : explainTask(task, name, facts);
      if (typeof made === "string") {
        drop(kind, made);
        continue;
      }
      const outcome = await referenceOutcome(made, options);
      const own = kind === "docstring" && made.given !== task.code; // the function's own docstring
      if (outcome !== undefined && outcome !== "passed" && !own) {
        drop(kind, `reference ${kind} fails its check (${outcome})`);
        continue;
      }
      byKind[kind].set(task.id, made);
      counts[kind].made += 1;
      if (outcome === "passed") counts[kind].reference_passed += 1;
      if (outcome === undefined) counts[kind].reference_unchecked += 1;
    }
  }
  return { byKind, counts };
}
