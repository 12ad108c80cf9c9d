/**
 * explain: the model sees a function and explains it in three parts headed `Purpose:`,
 * `Parameters:` and `Behaviour:`. Target: `answer`, a reference explanation, when the task has
 * one (the corpus builds it from the function's docstring and signature, explain-target.ts).
 *
 * Rule by rule (score = fraction met; passes when all hold):
 *  1. length: EXPLAIN_WORDS.min..max words;
 *  2. structure: the three headings, each on its own line (`Purpose:`, `**Purpose**`,
 *     `## Purpose` ...; `Behavior` and `Args`/`Arguments` accepted);
 *  3. parameters: every real parameter of the function named as a word;
 *  4. no placeholders (hallucination.ts);
 *  5. when the explanation states examples of a module-level function (`` `f(2)` returns `5` ``,
 *     the form its reference explanations use), they hold: each runs in the sandbox against the
 *     task's code, as a docstring's `>>>` examples do. An example whose call is not a Python
 *     expression or whose value is not a literal (`ast.literal_eval`: so `f(x)` returns `f(x)`
 *     proves nothing) is not checked; one whose call raises, or returns something else, fails.
 */
import type { Task } from "../tasks/schema.js";
import { fence } from "../prompts/template.js";
import { execWithRetry } from "../quality/score.js";
import { findPlaceholders } from "./hallucination.js";
import type { KindCheck, KindContext, TaskKind } from "./kind.js";
import { extractText, pyString, taskFunction, taskFunctionFacts, wordCount } from "./text-answer.js";

export const EXPLAIN_OUTCOMES = ["passed", "no_answer", "placeholder", "too_short", "too_long", "missing_sections", "parameter_missing", "wrong_example", "sandbox_error"] as const;
export type ExplainOutcome = (typeof EXPLAIN_OUTCOMES)[number];

/** Bounds on an explanation's length in words: under 15 cannot cover three parts; over 300 is no longer an explanation of one function. */
export const EXPLAIN_WORDS = { min: 15, max: 300 };

export const EXPLAIN_SECTIONS: readonly { name: string; heading: RegExp }[] = [
  { name: "Purpose", heading: /^purpose$/ },
  { name: "Parameters", heading: /^(?:parameters|params|args|arguments)$/ },
  { name: "Behaviour", heading: /^behaviou?r$/ },
];

/** The heading of a line (`Purpose:`, `**Purpose:**`, `## Purpose`, `- Purpose: text`), lower-cased; undefined when it has none. */
function headingOf(line: string): string | undefined {
  const m = /^\s*(?:#{1,6}\s*|[-*]\s+)?\**\s*([A-Za-z][A-Za-z ]*?)\s*\**\s*(?::|$)/.exec(line);
  return m === null ? undefined : (m[1] as string).toLowerCase();
}

export function missingSections(text: string): string[] {
  const headings = text.split("\n").flatMap((l) => headingOf(l) ?? []);
  return EXPLAIN_SECTIONS.filter((s) => !headings.some((h) => s.heading.test(h))).map((s) => s.name);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** An example an explanation states: `call` returns `value` (both as written, Python source). */
export interface StatedExample {
  call: string;
  value: string;
}

const CLAIM = /`([A-Za-z_]\w*\([^`\n]*\))`\s+(?:returns|gives|evaluates to|equals|is)\s+`([^`\n]+)`/g;

/** The examples a text states about `functionName` (a module-level function; none for a method). */
export function statedExamples(text: string, functionName: string): StatedExample[] {
  if (functionName.includes(".")) return [];
  return [...text.matchAll(CLAIM)].filter((m) => (m[1] as string).startsWith(`${functionName}(`)).map((m) => ({ call: m[1] as string, value: (m[2] as string).trim() }));
}

/** A pytest file that checks each stated example against the module: one test per example. */
export function examplesFile(module: string, examples: readonly StatedExample[]): string {
  return [
    "import ast",
    "import json",
    "",
    "import pytest",
    "",
    `import ${module} as _module`,
    "",
    `_EXAMPLES = json.loads(${pyString(JSON.stringify(examples.map((e) => [e.call, e.value])))})`,
    "",
    "",
    '@pytest.mark.parametrize("call, value", _EXAMPLES)',
    "def test_stated_example(call, value):",
    "    scope = dict(vars(_module))",
    "    try:",
    "        expected = ast.literal_eval(value)",
    '        call_code = compile(call, "<call>", "eval")',
    "    except Exception:",
    '        pytest.skip("the call is not a Python expression or the value not a literal")',
    "    actual = eval(call_code, scope)",
    '    assert actual == expected, f"{call} returns {actual!r}, not {value}"',
    "",
  ].join("\n");
}

interface ExamplesVerdict {
  ok: boolean;
  outcome: "wrong_example" | "sandbox_error";
  detail: Record<string, unknown>;
}

/** Runs the stated examples; undefined when there are none, none is a Python expression, or there is no sandbox. */
async function examplesRule(task: Task, examples: readonly StatedExample[], ctx: KindContext | undefined): Promise<ExamplesVerdict | undefined> {
  if (examples.length === 0 || ctx === undefined) return undefined;
  const request = { code: task.code, tests: examplesFile(task.module, examples), module: task.module, ...(ctx.timeoutS === undefined ? {} : { timeout_s: ctx.timeoutS }) };
  const result = await execWithRetry(ctx.executor, request);
  if (result.status === "sandbox_error") return { ok: false, outcome: "sandbox_error", detail: { detail: result.detail } };
  const checked = result.tests.filter((t) => t.outcome !== "skipped");
  if (result.tests.length > 0 && checked.length === 0) return undefined;
  const wrong = checked.filter((t) => t.outcome !== "passed");
  return { ok: result.status === "passed" && wrong.length === 0, outcome: "wrong_example", detail: { checked: checked.length, wrong: wrong.map((t) => t.message.split("\n")[0]), status: result.status } };
}

/**
 * Checks an explanation. Without a context (no sandbox) its stated examples are not run, and
 * `details.examples_unchecked` says how many there were.
 */
export async function checkExplanation(task: Task, answer: string, ctx?: KindContext): Promise<KindCheck> {
  const facts = await taskFunctionFacts(task);
  const text = answer.trim();
  if (text === "") return { passed: false, score: 0, outcome: "no_answer", hallucination: [], details: { function: facts.name } };
  const hallucination = await findPlaceholders(text, "text");
  const words = wordCount(text);
  const missing = missingSections(text);
  const unnamed = facts.params.filter((p) => !new RegExp(`(?<![\\w])${escapeRegExp(p)}(?![\\w])`).test(text));
  const rules: { ok: boolean; outcome: ExplainOutcome }[] = [
    { ok: hallucination.length === 0, outcome: "placeholder" },
    { ok: words >= EXPLAIN_WORDS.min && words <= EXPLAIN_WORDS.max, outcome: words < EXPLAIN_WORDS.min ? "too_short" : "too_long" },
    { ok: missing.length === 0, outcome: "missing_sections" },
    { ok: unnamed.length === 0, outcome: "parameter_missing" },
  ];
  const examples = statedExamples(text, taskFunction(task));
  const verdict = await examplesRule(task, examples, ctx);
  if (verdict !== undefined) rules.push({ ok: verdict.ok, outcome: verdict.outcome });
  const failed = rules.filter((r) => !r.ok);
  const exampleDetails = verdict !== undefined ? { examples: verdict.detail } : examples.length > 0 && ctx === undefined ? { examples_unchecked: examples.length } : {};
  return {
    passed: failed.length === 0,
    score: (rules.length - failed.length) / rules.length,
    outcome: verdict?.outcome === "sandbox_error" ? "sandbox_error" : (failed[0]?.outcome ?? "passed"),
    hallucination,
    details: { function: facts.name, words, missing_sections: missing, unnamed_parameters: unnamed, params: facts.params, ...exampleDetails },
  };
}

const CONSTRAINTS = `### Constraints: plain text in three parts headed Purpose:, Parameters: (name every parameter) and Behaviour:, ${EXPLAIN_WORDS.min} to ${EXPLAIN_WORDS.max} words.`;

export const explain: TaskKind = {
  name: "explain",
  instruction: (task) => [`### Task: Explain ${taskFunction(task)} in ${task.module}.py`, "### Code", fence(task.given ?? task.code), CONSTRAINTS].join("\n"),
  target: (task) => task.answer,
  answerFormat: "text",
  extract: (completion) => extractText(completion),
  check: (task, answer, ctx) => checkExplanation(task, answer, ctx),
  reward: (check) => check.score,
};
