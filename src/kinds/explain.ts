/**
 * explain: the model sees a function and explains it in three parts headed `Purpose:`,
 * `Parameters:` and `Behaviour:`. Target: `answer`, a reference explanation, when the task has
 * one (the corpus builds it from the function's docstring and signature, explain-target.ts).
 *
 * Nothing can run here, so the check is static, rule by rule (score = fraction met; passes
 * when all hold):
 *  1. length: EXPLAIN_WORDS.min..max words;
 *  2. structure: the three headings, each on its own line (`Purpose:`, `**Purpose**`,
 *     `## Purpose` ...; `Behavior` and `Args`/`Arguments` accepted);
 *  3. parameters: every real parameter of the function named as a word;
 *  4. no placeholders (hallucination.ts).
 */
import type { Task } from "../tasks/schema.js";
import { fence } from "../prompts/template.js";
import { findPlaceholders } from "./hallucination.js";
import type { KindCheck, TaskKind } from "./kind.js";
import { extractText, taskFunction, taskFunctionFacts, wordCount } from "./text-answer.js";

export const EXPLAIN_OUTCOMES = ["passed", "no_answer", "placeholder", "too_short", "too_long", "missing_sections", "parameter_missing"] as const;
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

export async function checkExplanation(task: Task, answer: string): Promise<KindCheck> {
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
  const failed = rules.filter((r) => !r.ok);
  return {
    passed: failed.length === 0,
    score: (rules.length - failed.length) / rules.length,
    outcome: failed[0]?.outcome ?? "passed",
    hallucination,
    details: { function: facts.name, words, missing_sections: missing, unnamed_parameters: unnamed, params: facts.params },
  };
}

const CONSTRAINTS = `### Constraints: plain text in three parts headed Purpose:, Parameters: (name every parameter) and Behaviour:, ${EXPLAIN_WORDS.min} to ${EXPLAIN_WORDS.max} words.`;

export const explain: TaskKind = {
  name: "explain",
  instruction: (task) => [`### Task: Explain ${taskFunction(task)} in ${task.module}.py`, "### Code", fence(task.given ?? task.code), CONSTRAINTS].join("\n"),
  target: (task) => task.answer,
  answerFormat: "text",
  extract: (completion) => extractText(completion),
  check: (task, answer) => checkExplanation(task, answer),
  reward: (check) => check.score,
};
