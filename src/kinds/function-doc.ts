/**
 * What is known about one function of a task, gathered for writing reference answers of the
 * text kinds: its facts (python-function.ts), its own docstring, the task's description, and
 * calls with their results from the task's reference tests (`assert f(1, 2) == 3` lines, and
 * `pytest.raises` blocks). From these: a Google-style docstring (the docstring target where the
 * function has none, e.g. TinyTests) and a reference explanation (the explain target).
 * Nothing is invented: a part with nothing known behind it is left out, and a reference that
 * then fails its kind's check is dropped by the caller.
 */
import { sections } from "./docstring.js";
import type { FunctionFacts } from "./python-function.js";

export interface KnownCall {
  call: string;
  /** The result as the test wrote it (a Python literal). */
  result: string;
}

export interface FunctionDoc {
  name: string;
  summary: string;
  /** Prose after the summary (docstring paragraphs that are not sections). */
  prose: string[];
  params: { name: string; type?: string; description?: string }[];
  returns?: { type?: string };
  yields: boolean;
  raises: { name: string; call?: string }[];
  examples: KnownCall[];
}

const MAX_EXAMPLES = 2;
const SECTION_HEADER = /^[A-Z][A-Za-z ]*:\s*$/;

/** Splits a call's argument text at top-level commas. */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = "";
  for (const c of text) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if ("([{".includes(c)) depth += 1;
    else if (")]}".includes(c)) depth -= 1;
    else if (c === "," && depth === 0) {
      out.push(current.trim());
      current = "";
      continue;
    }
    current += c;
  }
  if (current.trim() !== "") out.push(current.trim());
  return out;
}

/** The Python type of a literal as written (int, float, str, bool, None, list[int], ...); undefined for other expressions. */
export function literalType(text: string): string | undefined {
  const t = text.trim();
  if (/^-?\d+$/.test(t)) return "int";
  if (/^-?\d*\.\d+(?:e-?\d+)?$/.test(t)) return "float";
  if (/^(?:'[^']*'|"[^"]*")$/.test(t)) return "str";
  if (t === "True" || t === "False") return "bool";
  if (t === "None") return "None";
  if (t.startsWith("[") && t.endsWith("]")) {
    const items = [...new Set(splitArgs(t.slice(1, -1)).map(literalType))];
    return items.length === 1 && items[0] !== undefined ? `list[${items[0]}]` : "list";
  }
  if (t.startsWith("(") && t.endsWith(")")) return "tuple";
  if (t.startsWith("{") && t.endsWith("}")) return "dict";
  return undefined;
}

/** A literal as Python's repr writes it back (what a doctest compares); undefined when that cannot be told from the text. */
export function reprOf(text: string): string | undefined {
  const t = text.trim();
  if (/^-?\d+$/.test(t) || t === "True" || t === "False" || t === "None") return t;
  if (/^-?\d+\.(?:0|\d*[1-9])$/.test(t)) return t;
  if (/^'[^'\\]*'$/.test(t)) return t;
  if (/^"[^"'\\]*"$/.test(t)) return `'${t.slice(1, -1)}'`;
  const open = t[0];
  if ((open === "[" && t.endsWith("]")) || (open === "(" && t.endsWith(")"))) {
    const items = splitArgs(t.slice(1, -1)).map(reprOf);
    if (items.some((i) => i === undefined)) return undefined;
    if (open === "(") return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
    return `[${items.join(", ")}]`;
  }
  return undefined;
}

/** The one type of several literals, when they agree (an empty list agrees with any list[...]). */
function oneType(literals: readonly string[]): string | undefined {
  const types = new Set(literals.map(literalType));
  if ([...types].some((t) => t?.startsWith("list[") === true)) types.delete("list");
  const [only] = types;
  return types.size === 1 ? only : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `assert name(args) == result` (or `is`) lines of a test file whose arguments and result are literals. */
export function knownCalls(tests: string | undefined, name: string): KnownCall[] {
  if (tests === undefined) return [];
  const pattern = new RegExp(`^\\s*assert (${escapeRegExp(name)}\\(.*\\)) (?:==|is) (.+?)\\s*$`);
  return tests.split("\n").flatMap((line) => {
    const m = pattern.exec(line);
    if (m === null) return [];
    const call = m[1] as string;
    const result = m[2] as string;
    const literal = [...argsOf(call), result].every((text) => literalType(text) !== undefined); // not parametrized names
    return literal ? [{ call, result }] : [];
  });
}

/** `with pytest.raises(E):` followed by a call of `name`. */
function knownRaises(tests: string | undefined, name: string): { name: string; call: string }[] {
  if (tests === undefined) return [];
  const lines = tests.split("\n");
  const out: { name: string; call: string }[] = [];
  lines.forEach((line, i) => {
    const m = /^\s*with pytest\.raises\((\w+)\):\s*$/.exec(line);
    const call = lines[i + 1]?.trim();
    if (m !== null && call !== undefined && call.startsWith(`${name}(`) && !out.some((r) => r.name === m[1])) out.push({ name: m[1] as string, call });
  });
  return out;
}

function argsOf(call: string): string[] {
  const open = call.indexOf("(");
  return splitArgs(call.slice(open + 1, call.lastIndexOf(")")));
}

/** This function's own line of a multi-function description (`name(...): text`), else the whole description. */
export function describedFunction(description: string | undefined, name: string): string | undefined {
  if (description === undefined || description.trim() === "") return undefined;
  for (const line of description.split("\n")) if (line.startsWith(`${name}(`)) return line.includes(": ") ? line.slice(line.indexOf(": ") + 2).trim() : line.trim();
  return description.trim();
}

/** Parameter descriptions a docstring gives: Google `name (type): text` entries and reST `:param name: text`. */
function paramDescriptions(doc: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (doc === undefined) return out;
  const args = sections(doc).get("Args") ?? sections(doc).get("Arguments") ?? [];
  for (const line of args) {
    const m = /^\s*\*{0,2}([A-Za-z_]\w*)\s*(?:\([^)]*\))?\s*:\s*(.+)$/.exec(line);
    if (m !== null) out.set(m[1] as string, (m[2] as string).trim());
  }
  for (const m of doc.matchAll(/:param\s+(?:\w+\s+)?([A-Za-z_]\w*):\s*([^\n]+)/g)) out.set(m[1] as string, (m[2] as string).trim());
  return out;
}

function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.split("\n").map((l) => l.trim()).join(" ").trim())
    .filter((p) => p !== "");
}

/**
 * Everything known about a task's function; undefined when there is nothing to say what it is
 * for (no docstring and no description).
 */
export function gatherDoc(facts: FunctionFacts, task: { description?: string; tests?: string }): FunctionDoc | undefined {
  const own = facts.docstring;
  const described = describedFunction(task.description, facts.name);
  let summary: string;
  let prose: string[] = [];
  if (own !== undefined && own.trim() !== "") {
    // prose only: section bodies (Args:, Returns:, ...) and doctest lines are not explanations
    const parts = paragraphs(proseLines(own).join("\n"));
    summary = parts[0] ?? "";
    prose = parts.slice(1);
  } else if (described !== undefined) {
    summary = described;
  } else {
    return undefined;
  }
  const calls = knownCalls(task.tests, facts.name);
  const descriptions = paramDescriptions(own);
  const params = facts.params.map((name, i) => {
    const type = calls.length === 0 ? undefined : oneType(calls.map((c) => argsOf(c.call)[i] ?? ""));
    const description = descriptions.get(name);
    return { name, ...(type === undefined ? {} : { type }), ...(description === undefined ? {} : { description }) };
  });
  const resultType = calls.length === 0 ? undefined : oneType(calls.map((c) => c.result));
  const raises = [...knownRaises(task.tests, facts.name), ...facts.raises.map((name) => ({ name }))].filter((r, i, all) => all.findIndex((o) => o.name === r.name) === i);
  return {
    name: facts.name,
    summary,
    prose,
    params,
    ...(facts.returnsValue ? { returns: resultType === undefined ? {} : { type: resultType } } : {}),
    yields: facts.yields,
    raises,
    examples: calls.slice(0, MAX_EXAMPLES),
  };
}

/**
 * The lines of a cleaned docstring outside its sections (a section runs until a line back at
 * the margin) and its examples (a `>>>` line and its output, up to a blank line).
 */
function proseLines(doc: string): string[] {
  let inSection = false;
  let inExample = false;
  return doc.split("\n").filter((line) => {
    if (SECTION_HEADER.test(line)) inSection = true;
    else if (line.trim() !== "" && !/^\s/.test(line)) inSection = false;
    if (/^\s*>>>/.test(line)) inExample = true;
    else if (line.trim() === "") inExample = false;
    return !inSection && !inExample;
  });
}

const TYPE_WORDS: Record<string, string> = { int: "An integer.", float: "A number.", str: "A string.", bool: "A boolean.", list: "A list.", tuple: "A tuple.", dict: "A dictionary." };

function typeWords(type: string | undefined): string {
  if (type === undefined) return "The argument of that name.";
  const list = /^list\[(\w+)\]$/.exec(type);
  if (list !== null) return `A list of ${{ int: "integers", str: "strings", bool: "booleans", float: "numbers" }[list[1] as string] ?? "values"}.`;
  return TYPE_WORDS[type] ?? `A ${type}.`;
}

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** A Google-style docstring (cleaned text, no quotes) from what is known. */
export function googleDocstring(doc: FunctionDoc): string {
  const lines = [sentence(doc.summary)];
  for (const p of doc.prose) lines.push("", p);
  if (doc.params.length > 0) {
    lines.push("", "Args:");
    for (const p of doc.params) lines.push(`    ${p.name}${p.type === undefined ? "" : ` (${p.type})`}: ${p.description === undefined ? typeWords(p.type) : sentence(p.description)}`);
  }
  if (doc.returns !== undefined || doc.yields) {
    lines.push("", doc.yields ? "Yields:" : "Returns:");
    lines.push(`    ${doc.returns?.type === undefined ? "" : `${doc.returns.type}: `}The result described above.`);
  }
  if (doc.raises.length > 0) {
    lines.push("", "Raises:");
    for (const r of doc.raises) lines.push(`    ${r.name}: ${r.call === undefined ? "When the input is not valid." : `For example on ${r.call}.`}`);
  }
  if (doc.examples.length > 0) {
    lines.push("", "Examples:");
    for (const e of doc.examples) {
      const repr = reprOf(e.result);
      // a result whose repr cannot be told from its text is compared by equality instead
      lines.push(...(repr === undefined ? [`    >>> ${e.call} == ${e.result}`, "    True"] : [`    >>> ${e.call}`, `    ${repr}`]));
    }
  }
  return lines.join("\n");
}

/** A reference explanation in the explain kind's three parts, from what is known. */
export function explanation(doc: FunctionDoc): string {
  const params =
    doc.params.length === 0
      ? "none."
      : `${doc.params.map((p) => `\`${p.name}\`${p.type === undefined ? "" : ` (${p.type})`}${p.description === undefined ? "" : `: ${p.description.replace(/\.$/, "")}`}`).join("; ")}.`;
  const behaviour = [...doc.prose.map(sentence)];
  for (const e of doc.examples) behaviour.push(`For example, \`${e.call}\` returns \`${e.result}\`.`);
  for (const r of doc.raises) behaviour.push(r.call === undefined ? `It can raise ${r.name}.` : `It raises ${r.name} on \`${r.call}\`.`);
  if (behaviour.length === 0) behaviour.push(doc.yields ? "It yields its results one at a time." : doc.returns !== undefined ? "It returns its result." : "It returns nothing; it works by its effects.");
  return [`Purpose: ${sentence(doc.summary)}`, `Parameters: ${params}`, `Behaviour: ${behaviour.join(" ")}`].join("\n");
}
