/**
 * Python literals as expected values, read with tree-sitter: which literals a test may compare
 * against (ints, floats, strings, bools, None, lists and tuples of them), which of their parts an
 * edit can change, and the seeded edit itself:
 *   int or float: +1 or -1;  string: one letter or digit changed (an empty or letterless string
 *   gains an `x`);  True <-> False;  None -> 0;  an empty list or tuple gains a 0.
 */
import type { Node } from "web-tree-sitter";
import type { Rng } from "../util/rng.js";

const SCALARS = new Set(["integer", "float", "string", "true", "false", "none"]);
export const CONTAINERS = new Set(["list", "tuple"]);

/** Named children without comments. */
export function items(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null && c.type !== "comment");
}

/** A signed number: `-3`, `+2.5`. */
function isSignedNumber(node: Node): boolean {
  const argument = node.childForFieldName("argument");
  const operator = node.childForFieldName("operator")?.type;
  return node.type === "unary_operator" && (operator === "-" || operator === "+") && (argument?.type === "integer" || argument?.type === "float");
}

/** A literal whose every part can stand as an expected value (no f-string, no name, no call). */
export function isLiteral(node: Node): boolean {
  if (node.type === "string") return !node.namedChildren.some((c) => c?.type === "interpolation");
  if (SCALARS.has(node.type) || isSignedNumber(node)) return true;
  return CONTAINERS.has(node.type) && items(node).every(isLiteral);
}

/** The literals an edit may change: the scalars of a container, or an empty container itself. */
export function leaves(node: Node): Node[] {
  if (!CONTAINERS.has(node.type)) return editable(node) ? [node] : [];
  const inner = items(node);
  return inner.length === 0 ? [node] : inner.flatMap(leaves);
}

function numberText(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? value.toFixed(1) : String(value);
}

/** A different letter of the same case, or a different digit. */
function otherChar(c: string, rng: Rng): string {
  const pool = /[a-z]/.test(c) ? "abcdefghijklmnopqrstuvwxyz" : /[A-Z]/.test(c) ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ" : "0123456789";
  return rng.pick([...pool].filter((o) => o !== c));
}

function editString(node: Node, rng: Rng): string {
  const start = node.namedChildren.find((c) => c?.type === "string_start");
  const end = node.namedChildren.find((c) => c?.type === "string_end");
  const from = (start?.endIndex ?? node.startIndex) - node.startIndex;
  const to = (end?.startIndex ?? node.endIndex) - node.startIndex;
  const text = node.text;
  // escape sequences (\x41, \N{DASH}, \n) stay whole: a changed letter in one may not be Python
  const escapes = node.descendantsOfType("escape_sequence").map((e) => [e.startIndex - node.startIndex, e.endIndex - node.startIndex] as const);
  const positions: number[] = [];
  // indexes are UTF-16 code units, as tree-sitter's offsets; only ASCII letters and digits are chosen
  for (let i = from; i < to; i++) {
    const inEscape = escapes.some(([a, b]) => i >= a && i < b) || text[i - 1] === "\\"; // the backslash check covers raw strings
    if (/[A-Za-z0-9]/.test(text[i] as string) && !inEscape) positions.push(i);
  }
  if (positions.length === 0) return `${text.slice(0, to)}x${text.slice(to)}`;
  const at = rng.pick(positions);
  return `${text.slice(0, at)}${otherChar(text[at] as string, rng)}${text.slice(at + 1)}`;
}

/** The digits of a number literal, without its sign. */
function digitsOf(node: Node): Node {
  return node.type === "unary_operator" ? (node.childForFieldName("argument") as Node) : node;
}

function integerValue(digits: Node): bigint | undefined {
  try {
    return BigInt(digits.text.replace(/_/g, "")); // decimal, 0x, 0o, 0b; a 1j suffix throws
  } catch {
    return undefined;
  }
}

/** Numbers that are not plain (1j, 1_000.5) are left alone; every other literal can be edited. */
function editable(node: Node): boolean {
  const digits = digitsOf(node);
  if (digits.type === "integer") return integerValue(digits) !== undefined;
  if (digits.type === "float") return Number.isFinite(Number(digits.text));
  return true;
}

/** The literal's new text (the literal is editable()). */
export function editText(node: Node, rng: Rng): string {
  const delta = rng.pick([1, -1]);
  switch (node.type) {
    case "true":
      return "False";
    case "false":
      return "True";
    case "none":
      return "0";
    case "string":
      return editString(node, rng);
    case "list":
      return "[0]";
    case "tuple":
      return "(0,)";
  }
  const negative = node.type === "unary_operator" && node.childForFieldName("operator")?.type === "-";
  const digits = digitsOf(node);
  if (digits.type === "integer") {
    const value = integerValue(digits) as bigint;
    return String((negative ? -value : value) + BigInt(delta));
  }
  const value = Number(digits.text);
  return numberText((negative ? -value : value) + delta);
}

