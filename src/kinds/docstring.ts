/**
 * docstring: the model sees the function without its docstring (`given`) and writes a
 * Google-style docstring for it (https://google.github.io/styleguide/pyguide.html#383-functions-and-methods).
 * Target: `answer`, the reference docstring as a triple-quoted literal.
 *
 * The check, rule by rule (the score is the fraction of rules met, 0 when the answer is not a
 * docstring at all; it passes when every rule holds):
 *  1. docstring: one triple-quoted string literal and nothing else;
 *  2. summary: a first line of text that is not a section header, followed by a blank line
 *     when more follows;
 *  3. args: an `Args:` section naming exactly the function's real parameters (read from the
 *     reference code's syntax tree; a method's self/cls excluded), or none when it has none;
 *  4. returns: a `Returns:` section when the function returns a value (`Yields:` for a
 *     generator);
 *  5. doctest: when the docstring has `>>>` examples, they run in the sandbox against the
 *     reference module and must all pass;
 *  6. no placeholders (hallucination.ts).
 * Style: the mean of the lines within PEP 8's 72 characters for docstrings and a summary line
 * ending in a period (PEP 257).
 */
import { DataError } from "../errors.js";
import { execWithRetry } from "../quality/score.js";
import { pythonParser } from "../tasks/corpus/parser.js";
import type { Task } from "../tasks/schema.js";
import { fence } from "../prompts/template.js";
import { findPlaceholders } from "./hallucination.js";
import type { KindCheck, KindContext, TaskKind } from "./kind.js";
import { cleandoc, docstringNode, stringContent, type FunctionFacts } from "./python-function.js";
import { lineLengthScore } from "./style.js";
import { extractText, pyString, taskFunction, taskFunctionFacts } from "./text-answer.js";

export const DOCSTRING_OUTCOMES = [
  "passed",
  "not_docstring", // no triple-quoted string literal (or more than one statement)
  "placeholder", // TODO, template slots, "your ... here"
  "no_summary", // no summary line, or no blank line after it
  "args_mismatch", // Args: missing, or naming parameters the function does not have / missing ones it has
  "no_returns", // the function returns (yields) a value and no Returns: (Yields:) section says what
  "doctest_failed", // an example in the docstring fails when run
  "sandbox_error", // ours: the sandbox failed twice
] as const;
export type DocstringOutcome = (typeof DOCSTRING_OUTCOMES)[number];

const DOC_MAX_LINE = 72; // PEP 8: docstrings and comments at most 72 characters
const SECTION = /^(Args|Arguments|Parameters|Params|Returns?|Yields?|Raises|Examples?|Notes?|Attributes|See Also|Todo|Warnings?|References)\s*:\s*$/;
const ENTRY = /^\*{0,2}([A-Za-z_]\w*)\s*(?:\([^)]*\))?\s*:/;
const TRIPLE = /(?:\b[rRuU])?("""|''')[\s\S]*?\1/;

/** Google-style sections of a cleaned docstring: header name -> the lines under it. */
export function sections(doc: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of doc.split("\n")) {
    const header = SECTION.exec(line);
    if (header !== null) {
      current = [];
      out.set(header[1] as string, current);
    } else if (current !== undefined) {
      if (line.trim() !== "" && !/^\s/.test(line)) current = undefined; // back at the margin: prose again
      else current.push(line);
    }
  }
  return out;
}

function section(parts: Map<string, string[]>, ...names: string[]): string[] | undefined {
  for (const name of names) if (parts.has(name)) return parts.get(name);
  return undefined;
}

/** The names an Args: section documents: the entries at its first entry's indentation. */
export function documentedArgs(lines: readonly string[]): string[] {
  const first = lines.find((l) => l.trim() !== "");
  if (first === undefined) return [];
  const indent = first.length - first.trimStart().length;
  return lines.filter((l) => l.trim() !== "" && l.length - l.trimStart().length === indent).flatMap((l) => ENTRY.exec(l.trim())?.[1] ?? []);
}

/** The docstring's text when `answer` is exactly one string literal; undefined otherwise. */
export async function docstringText(answer: string): Promise<string | undefined> {
  const tree = (await pythonParser()).parse(`def _documented():\n    ${answer.trim()}\n`);
  if (tree === null) return undefined;
  try {
    if (tree.rootNode.hasError) return undefined;
    const fn = tree.rootNode.namedChildren[0];
    const body = fn?.childForFieldName("body") ?? null;
    const doc = docstringNode(body);
    if (doc === undefined || body?.namedChildren.filter((c) => c?.type !== "comment").length !== 1) return undefined;
    if (!/^(?:[rRuU])?("""|''')/.test(doc.string.text)) return undefined;
    return cleandoc(stringContent(doc.string));
  } finally {
    tree.delete();
  }
}

/** A pytest file that runs a docstring's examples with doctest against the module's globals. */
export function doctestFile(module: string, doc: string): string {
  return [
    "import doctest",
    `import ${module} as _module`,
    "",
    `_DOC = ${pyString(doc)}`,
    "",
    "",
    "def test_docstring_examples():",
    '    test = doctest.DocTestParser().get_doctest(_DOC, dict(vars(_module)), "docstring", None, 0)',
    "    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)",
    "    report = []",
    "    runner.run(test, out=report.append)",
    '    assert runner.failures == 0, "".join(report)',
    "",
  ].join("\n");
}

interface Rule {
  name: string;
  ok: boolean;
  outcome: DocstringOutcome;
  detail?: unknown;
}

function structureRules(doc: string, facts: FunctionFacts): Rule[] {
  const lines = doc.split("\n");
  const summary = lines[0] ?? "";
  const summaryOk = summary.trim() !== "" && !SECTION.test(summary) && (lines.length === 1 || (lines[1] ?? "").trim() === "");
  const parts = sections(doc);
  const args = section(parts, "Args", "Arguments", "Parameters", "Params");
  const documented = args === undefined ? [] : documentedArgs(args);
  const missing = facts.params.filter((p) => !documented.includes(p));
  const extra = documented.filter((d) => !facts.params.includes(d));
  const needsReturns = facts.returnsValue || facts.yields;
  const returns = facts.yields ? section(parts, "Yields", "Yield", "Returns", "Return") : section(parts, "Returns", "Return");
  const returnsOk = !needsReturns || (returns !== undefined && returns.some((l) => l.trim() !== ""));
  return [
    { name: "summary", ok: summaryOk, outcome: "no_summary" },
    { name: "args", ok: missing.length === 0 && extra.length === 0, outcome: "args_mismatch", detail: { params: facts.params, documented, missing, extra } },
    { name: "returns", ok: returnsOk, outcome: "no_returns", detail: { returns_value: facts.returnsValue, yields: facts.yields } },
  ];
}

async function doctestRule(task: Task, doc: string, ctx: KindContext | undefined): Promise<Rule | undefined> {
  if (ctx === undefined || !/^\s*>>> /m.test(doc)) return undefined;
  const request = { code: task.code, tests: doctestFile(task.module, doc), module: task.module, ...(ctx.timeoutS === undefined ? {} : { timeout_s: ctx.timeoutS }) };
  const result = await execWithRetry(ctx.executor, request);
  if (result.status === "sandbox_error") return { name: "doctest", ok: false, outcome: "sandbox_error", detail: result.detail };
  const message = result.tests.map((t) => t.message).join("\n").slice(0, 2000);
  return { name: "doctest", ok: result.status === "passed", outcome: "doctest_failed", detail: { status: result.status, message: message || result.detail } };
}

function docstringStyle(doc: string): number {
  const summary = doc.split("\n")[0] ?? "";
  return (lineLengthScore(doc, DOC_MAX_LINE) + (/\.\s*$/.test(summary) ? 1 : 0)) / 2;
}

/** Checks a docstring answer against the task's function (see the module comment); without a context (no sandbox) its examples are not run. */
export async function checkDocstring(task: Task, answer: string, ctx?: KindContext): Promise<KindCheck> {
  const facts = await taskFunctionFacts(task);
  const hallucination = await findPlaceholders(answer, "text");
  const doc = answer.trim() === "" ? undefined : await docstringText(answer);
  if (doc === undefined) return { passed: false, score: 0, outcome: "not_docstring", hallucination, details: { function: facts.name } };
  const rules: Rule[] = [...structureRules(doc, facts), { name: "placeholders", ok: hallucination.length === 0, outcome: "placeholder" }];
  const doctest = await doctestRule(task, doc, ctx);
  if (doctest !== undefined) rules.push(doctest);
  const sandboxFailed = rules.find((r) => r.outcome === "sandbox_error");
  const order: DocstringOutcome[] = ["placeholder", "no_summary", "args_mismatch", "no_returns", "doctest_failed"];
  const failed = rules.filter((r) => !r.ok).sort((a, b) => order.indexOf(a.outcome) - order.indexOf(b.outcome));
  const met = rules.filter((r) => r.ok).length + 1; // + the docstring rule itself
  return {
    passed: failed.length === 0,
    score: met / (rules.length + 1),
    outcome: sandboxFailed?.outcome ?? failed[0]?.outcome ?? "passed",
    hallucination,
    style: docstringStyle(doc),
    details: { function: facts.name, rules: Object.fromEntries(rules.map((r) => [r.name, r.detail === undefined ? r.ok : { ok: r.ok, ...(typeof r.detail === "object" && r.detail !== null ? r.detail : { detail: r.detail }) }])) },
  };
}

/** The first triple-quoted literal of a completion (what a model writes around it is dropped); the text itself when there is none. */
export function extractDocstring(completion: string): string {
  const text = extractText(completion);
  return TRIPLE.exec(text)?.[0].trim() ?? text;
}

function given(task: Task): string {
  if (task.given === undefined) {
    throw new DataError("tasks file", `task ${task.id}`, "kind 'docstring' needs 'given': the code with the function's docstring removed", {
      hint: "prepare docstring tasks with 'testtune data prepare --kinds docstring'",
    });
  }
  return task.given;
}

const CONSTRAINTS = "### Constraints: answer with the docstring only, in triple quotes, Google style: a summary line, Args: naming every parameter, Returns: when it returns a value; any >>> examples are run.";

export const docstring: TaskKind = {
  name: "docstring",
  instruction: (task) => [`### Task: Write the docstring of ${taskFunction(task)} in ${task.module}.py`, "### Code", fence(given(task)), CONSTRAINTS].join("\n"),
  target: (task) => task.answer,
  answerFormat: "text",
  extract: (completion) => extractDocstring(completion),
  check: checkDocstring,
  reward: (check) => check.score,
};
