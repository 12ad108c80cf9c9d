/**
 * Extracting the pytest file from a model completion.
 *
 * Rules, in order (see docs/rewards.md):
 * 1. The completion is cut at the first chat end marker (`<|im_end|>`, `<|eot_id|>`, `</s>`, ...).
 * 2. Fenced blocks (```python, ```py, or untagged; an unclosed last fence runs to the end):
 *    the longest block that defines a test (`def test...` or `class Test...`) wins; "fenced".
 * 3. Otherwise, if the text before the first fence defines a test, that text; "raw"
 *    (a base model that wrote the tests and then closed a fence the prompt never opened).
 * 4. Otherwise the first non-empty Python fenced block ("fenced"); with no fence at all, the
 *    whole text cut at a new `### Task` header ("raw"); else nothing ("none").
 *
 * Import of the module under test: when the file never imports the module (in any form) and
 * uses entry-point names it does not define or import, `from <module> import <those names>` is
 * added at the top (after `from __future__` imports) and the names are reported in
 * `added_imports`. Only the task's entry points are added, never `import *`: a star import
 * would also bind every helper and import of the module and could turn a wrong test into a
 * running one. Nothing else in the text is ever changed.
 */
import type { Task } from "../tasks/schema.js";

export type ExtractionMethod = "fenced" | "raw" | "none";

export interface ExtractedTests {
  tests: string;
  method: ExtractionMethod;
  /** Entry points imported on the file's behalf (empty when nothing was added). */
  added_imports: string[];
}

const END_MARKERS = ["<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end|>", "<end_of_turn>", "<|EOT|>", "</s>", "<｜end▁of▁sentence｜>"];
const PYTHON_FENCE_LANGS = new Set(["", "python", "py", "python3", "pytest"]);
const DEFINES_TEST = /^[ \t]*(?:(?:async[ \t]+)?def[ \t]+test|class[ \t]+Test)/m;
const NEXT_TASK_HEADER = /^### Task\b/m;

export interface Fence {
  lang: string;
  body: string;
}

export function cutAtEndMarker(text: string): string {
  let end = text.length;
  for (const marker of END_MARKERS) {
    const at = text.indexOf(marker);
    if (at !== -1 && at < end) end = at;
  }
  return text.slice(0, end);
}

/** The fenced blocks of a Markdown-ish text, and the text before the first fence. */
export function splitFences(text: string): { before: string; fences: Fence[] } {
  const lines = text.split("\n");
  const fences: Fence[] = [];
  let before: string[] | undefined;
  let open: { lang: string; body: string[] } | undefined;
  lines.forEach((line, i) => {
    const fence = /^[ \t]*```[ \t]*([\w+.-]*)/.exec(line);
    if (fence === null) {
      open?.body.push(line);
      return;
    }
    before ??= lines.slice(0, i);
    if (open === undefined) open = { lang: (fence[1] ?? "").toLowerCase(), body: [] };
    else {
      fences.push({ lang: open.lang, body: open.body.join("\n") });
      open = undefined;
    }
  });
  if (open !== undefined) fences.push({ lang: open.lang, body: open.body.join("\n") });
  return { before: (before ?? lines).join("\n"), fences };
}

function pickFile(text: string): { tests: string; method: ExtractionMethod } {
  const { before, fences } = splitFences(text);
  const python = fences.filter((f) => PYTHON_FENCE_LANGS.has(f.lang));
  const withTests = python.filter((f) => DEFINES_TEST.test(f.body));
  if (withTests.length > 0) {
    const longest = withTests.reduce((best, f) => (f.body.length > best.body.length ? f : best));
    return { tests: longest.body, method: "fenced" };
  }
  if (fences.length > 0 && DEFINES_TEST.test(before)) return { tests: before, method: "raw" };
  const first = python.find((f) => f.body.trim() !== "");
  if (first !== undefined) return { tests: first.body, method: "fenced" };
  // fences without usable Python: the prose around them is no test file
  if (fences.length > 0) return { tests: "", method: "none" };
  const header = NEXT_TASK_HEADER.exec(text);
  const raw = header === null ? text : text.slice(0, header.index);
  return raw.trim() === "" ? { tests: "", method: "none" } : { tests: raw, method: "raw" };
}

/** Python source with string literals and comments blanked out (newlines kept), for name scans. */
export function blankStringsAndComments(code: string): string {
  return code.replace(
    /(?<![\w])[rRbBuUfF]{0,2}("""[\s\S]*?(?:"""|$(?![\s\S]))|'''[\s\S]*?(?:'''|$(?![\s\S]))|"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?)|#[^\n]*/g,
    (match) => match.replace(/[^\n]/g, " "),
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function importsModule(code: string, module: string): boolean {
  const m = escapeRegExp(module);
  return new RegExp(`^[ \\t]*(?:from[ \\t]+${m}(?:[ \\t.]|$)|import[ \\t]+[^\\n]*\\b${m}\\b)`, "m").test(code);
}

function bindsName(code: string, name: string): boolean {
  const n = escapeRegExp(name);
  const patterns = [
    `^[ \\t]*(?:async[ \\t]+)?def[ \\t]+${n}\\b`,
    `^[ \\t]*class[ \\t]+${n}\\b`,
    `^[ \\t]*(?:from[ \\t]+\\S+[ \\t]+)?import[ \\t]+(?:\\([^)]*|[^\\n]*)\\b${n}\\b`,
    `^${n}[ \\t]*(?::[^=\\n]*)?=(?!=)`,
  ];
  return patterns.some((p) => new RegExp(p, "m").test(code));
}

function usesName(code: string, name: string): boolean {
  // a use that is not an attribute (x.name) and not a keyword argument (f(name=...))
  return new RegExp(`(?<![\\w.])${escapeRegExp(name)}\\b(?![ \\t]*=[^=])`).test(code);
}

/** `line` inserted at the top of `code`, after any `from __future__` imports. */
export function insertImport(code: string, line: string): string {
  const lines = code.split("\n");
  let at = 0;
  lines.forEach((l, i) => {
    if (/^from[ \t]+__future__[ \t]+import\b/.test(l)) at = i + 1;
  });
  if (at > 0 && (lines[at - 1] ?? "").includes("(")) {
    while (at < lines.length && !(lines[at - 1] ?? "").includes(")")) at += 1;
  }
  lines.splice(at, 0, line);
  return lines.join("\n");
}

/** The entry points a test file uses without importing the module under test at all. */
export function missingImports(tests: string, task: Pick<Task, "module" | "entry_points">): string[] {
  const code = blankStringsAndComments(tests);
  if (importsModule(code, task.module)) return [];
  const names = [...new Set(task.entry_points.map((e) => e.split(".")[0] ?? e).filter((e) => /^[A-Za-z_]\w*$/.test(e)))];
  return names.filter((name) => usesName(code, name) && !bindsName(code, name));
}

/** The pytest file in a completion (see the module comment for the rules). */
export function extractTestFile(completion: string, task?: Pick<Task, "module" | "entry_points">): ExtractedTests {
  const picked = pickFile(cutAtEndMarker(completion));
  const body = picked.tests.replace(/^\s*\n/, "").trimEnd();
  if (picked.method === "none" || body === "") return { tests: "", method: "none", added_imports: [] };
  const missing = task === undefined ? [] : missingImports(body, task);
  const tests = task === undefined || missing.length === 0 ? body : insertImport(body, `from ${task.module} import ${missing.join(", ")}`);
  return { tests: `${tests}\n`, method: picked.method, added_imports: missing };
}
