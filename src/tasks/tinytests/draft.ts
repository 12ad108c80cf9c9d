/**
 * The structured form TinyTests functions are generated in: a template draws a module of
 * short functions plus the inputs to call them with; rendering to Python text happens here,
 * in one place, so every tier's code looks the same.
 */
import type { Rng } from "../../util/rng.js";

/** A value we write as a Python literal in code or in a call. */
export type PyValue = number | string | boolean | null | PyValue[];

export interface FunctionDraft {
  name: string;
  params: string[];
  /** Body lines, indented relative to the function body (4 spaces per level). */
  body: string[];
  /** Argument lists to call the function with, each argument a Python literal. */
  inputs: string[][];
}

export interface ModuleDraft {
  /** In definition order; helpers come before the functions that call them. */
  functions: FunctionDraft[];
}

/**
 * One family of functions. `variants` is the operator/form axis the train/eval holdout is
 * defined over (see holdout.ts): a (template, variant) pair belongs to exactly one split.
 */
export interface Template {
  name: string;
  variants: readonly string[];
  draft(rng: Rng, variant: string): ModuleDraft;
}

export interface Tier {
  tier: number;
  /** The task category, e.g. "branches". */
  name: string;
  templates: readonly Template[];
}

/** A Python literal for a value: strings single-quoted (as repr writes them), True/False/None. */
export function py(value: PyValue): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new Error(`TinyTests literals are integers, got ${value}`);
    return String(value);
  }
  if (typeof value === "string") {
    if (/['\\\n]/.test(value)) throw new Error(`TinyTests string literal needs escaping: ${value}`);
    return `'${value}'`;
  }
  return `[${value.map(py).join(", ")}]`;
}

/** Argument lists as Python literals. */
export function args(...values: PyValue[]): string[] {
  return values.map(py);
}

export function renderFunction(fn: FunctionDraft): string {
  return [`def ${fn.name}(${fn.params.join(", ")}):`, ...fn.body.map((line) => `    ${line}`)].join("\n");
}

export function renderModule(module: ModuleDraft): string {
  return `${module.functions.map(renderFunction).join("\n\n\n")}\n`;
}

/** `count` distinct integers in [min, max], in draw order (fewer when the range is smaller). */
export function distinctInts(rng: Rng, count: number, min: number, max: number, include: number[] = []): number[] {
  const out = [...new Set(include)];
  for (let tries = 0; out.length < count && tries < count * 20; tries++) {
    const value = rng.int(min, max);
    if (!out.includes(value)) out.push(value);
  }
  return out;
}

/** A short list of small integers. */
export function intList(rng: Rng, minLength: number, maxLength: number, min = -3, max = 9): number[] {
  return Array.from({ length: rng.int(minLength, maxLength) }, () => rng.int(min, max));
}

export const WORDS = ["cat", "dog", "sun", "map", "red", "box", "tea", "owl", "pen", "sky", "ant", "cup"] as const;

/** A short lowercase word or two, sometimes with padding spaces or a capital (for string methods). */
export function phrase(rng: Rng): string {
  const words = Array.from({ length: rng.int(1, 2) }, () => rng.pick(WORDS));
  let text = words.join(" ");
  if (rng.next() < 0.3) text = text.charAt(0).toUpperCase() + text.slice(1);
  if (rng.next() < 0.25) text = ` ${text} `;
  return text;
}

/**
 * Parameter names drawn per function, so a model learns to read them rather than to expect
 * `x` (and so the generator has room for thousands of distinct functions per tier).
 */
export const PARAMS = {
  one: ["x", "n", "value", "num"],
  pair: [
    ["a", "b"],
    ["x", "y"],
    ["m", "n"],
    ["p", "q"],
  ],
  triple: [
    ["a", "b", "c"],
    ["x", "y", "z"],
    ["p", "q", "r"],
  ],
  list: ["xs", "items", "values", "nums"],
  text: ["s", "text", "word", "line"],
} as const;
