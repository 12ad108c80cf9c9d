/**
 * The hallucination check every kind shares: placeholders where an answer should be, each hit
 * named with its line. An answer with any hit is a hallucinated answer in the per-kind
 * hallucination rate (docs/kinds.md), whatever its other checks say.
 *
 * In any answer (text or code, comments and strings included):
 *  - TODO, FIXME, TBD markers (upper case, as words);
 *  - phrases that stand for missing content: "your code here", "insert ... here", "fill in",
 *    "implement this/me" (not "implement this method", an abstract method's own docs), "add your ...", "rest of the code", "placeholder", "lorem ipsum";
 *  - template slots: `[describe ...]`, `<your ...>`, `{insert ...}` and the like;
 *  - a line that is only an ellipsis (`...`, `…`, `[...]`) in a text answer.
 * In a code answer, from its syntax tree (tree-sitter):
 *  - a function whose body is only `pass` or `...` (after its docstring, if any);
 *  - `raise NotImplementedError` (a stub, not an implementation).
 */
import type { Node } from "web-tree-sitter";
import { pythonParser } from "../tasks/corpus/parser.js";
import { definitionOf } from "../tasks/corpus/module-index.js";
import { docstringNode } from "./python-function.js";

const MARKER = /\b(TODO|FIXME|TBD)\b/;
const PHRASES: readonly [RegExp, string][] = [
  [/\byour (?:code|implementation|logic|solution|answer|docstring|explanation) (?:goes )?here\b/i, "'your ... here'"],
  [/\binsert\b[^\n]{0,40}?\bhere\b/i, "'insert ... here'"],
  [/\bfill (?:in|this)\b/i, "'fill in'"],
  // "Implement this method in a subclass" is how real abstract methods are documented (the
  // standard library says it), not a gap in the answer.
  [/\bimplement (?:this(?! (?:method|class|interface|protocol|hook)\b)|me|here|the (?:logic|function|body))\b/i, "'implement this'"],
  [/\badd your\b/i, "'add your ...'"],
  [/\brest of (?:the )?(?:code|function|implementation)\b/i, "'rest of the code'"],
  [/\bplace ?holder\b/i, "'placeholder'"],
  [/\blorem ipsum\b/i, "'lorem ipsum'"],
];
const SLOT = /[[<{]\s*(?:insert|describe|your|add|enter|parameter name|param|description|explanation|summary|type)\b[^\]>}\n]{0,60}[\]>}]/i;
const ELLIPSIS_LINE = /^\s*(?:\.\.\.|…|\[\.\.\.\]|\[…\])\s*$/;

function lineHits(text: string, ellipsisLines: boolean): string[] {
  const hits: string[] = [];
  text.split("\n").forEach((line, i) => {
    const where = `line ${i + 1}`;
    const marker = MARKER.exec(line);
    if (marker !== null) hits.push(`${marker[1]} (${where})`);
    for (const [pattern, name] of PHRASES) if (pattern.test(line)) hits.push(`${name} (${where})`);
    const slot = SLOT.exec(line);
    if (slot !== null) hits.push(`template slot ${slot[0]} (${where})`);
    if (ellipsisLines && ELLIPSIS_LINE.test(line)) hits.push(`ellipsis line (${where})`);
  });
  return hits;
}

function stubBodies(root: Node): string[] {
  const hits: string[] = [];
  for (const fn of root.descendantsOfType("function_definition")) {
    if (fn === null) continue;
    const body = fn.childForFieldName("body");
    if (body === null) continue;
    const doc = docstringNode(body);
    const statements = body.namedChildren.filter((c): c is Node => c !== null && c.type !== "comment" && c.id !== doc?.statement.id);
    const only = statements.length === 1 ? (statements[0] as Node) : undefined;
    const stub = only?.type === "pass_statement" ? "pass" : only?.type === "expression_statement" && only.text.trim() === "..." ? "..." : undefined;
    if (stub !== undefined) hits.push(`\`${stub}\` body of ${definitionOf(fn).childForFieldName("name")?.text ?? "a function"} (line ${fn.startPosition.row + 1})`);
  }
  for (const raise of root.descendantsOfType("raise_statement")) {
    if (raise !== null && /^raise\s+NotImplementedError\b/.test(raise.text)) hits.push(`NotImplementedError stub (line ${raise.startPosition.row + 1})`);
  }
  return hits;
}

/**
 * The placeholders in an answer, each named with its line (empty when there are none). A code
 * answer that does not parse gets only the textual checks (its syntax error is the code
 * kinds' own outcome).
 */
export async function findPlaceholders(answer: string, format: "code" | "text"): Promise<string[]> {
  const hits = lineHits(answer, format === "text");
  if (format === "code") {
    const tree = (await pythonParser()).parse(answer);
    if (tree !== null) {
      try {
        if (!tree.rootNode.hasError) hits.push(...stubBodies(tree.rootNode));
      } finally {
        tree.delete();
      }
    }
  }
  return hits;
}
