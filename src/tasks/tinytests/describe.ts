/**
 * Natural-language descriptions of TinyTests functions, so that the `solve` kind (write the
 * function from its description) works on the embedded default. Each template's function body
 * has one fixed form (tier1.ts ... tier5.ts); the description is read off that form here, in
 * one place, so the generators (and their seeded draws) stay exactly as they were. A body that
 * matches no known form is a generator bug and throws.
 */
import type { FunctionDraft, ModuleDraft } from "./draft.js";

const OP: Record<string, string> = { "+": "plus", "-": "minus", "*": "times", "//": "floor-divided by", "%": "modulo", ">>": "shifted right by" };
const CMP: Record<string, string> = { "<": "is less than", "<=": "is at most", ">": "is greater than", ">=": "is at least", "==": "equals", "!=": "is not equal to" };
const STR_METHOD: Record<string, string> = {
  upper: "in upper case",
  lower: "in lower case",
  strip: "without leading and trailing spaces",
  title: "in title case",
  capitalize: "capitalized (first letter upper case, the rest lower case)",
  swapcase: "with the case of every letter swapped",
};

function word(table: Record<string, string>, key: string): string {
  const found = table[key];
  if (found === undefined) throw new Error(`TinyTests describe: no words for '${key}'`);
  return found;
}

function match(pattern: RegExp, line: string | undefined, what: string): RegExpExecArray {
  const m = line === undefined ? null : pattern.exec(line.trim());
  if (m === null) throw new Error(`TinyTests describe: the ${what} body line ${JSON.stringify(line)} has no known form`);
  return m;
}

/** `i`, `i * 3`, `i + 3`, `i % 3` in words. */
function term(text: string): string {
  const m = /^i(?: (\*|\+|%) (\d+))?$/.exec(text);
  if (m === null) throw new Error(`TinyTests describe: unknown loop term ${text}`);
  return m[1] === undefined ? "i" : `i ${word(OP, m[1])} ${m[2]}`;
}

function position(index: string): string {
  return { "0": "the first item", "1": "the second item", "-1": "the last item", "-2": "the second-to-last item" }[index] ?? `the item at index ${index}`;
}

/** A comparison said of several items: "are less than", "equal", ... */
function plural(cmp: string): string {
  return word(CMP, cmp).replace(/^is /, "are ").replace(/^equals$/, "equal");
}

const KEYS: Record<string, string> = { x: "value", "abs(x)": "absolute value", "x % 10": "value modulo 10" };

/** One function's description, for the template and variant it was drawn from. */
function describeOne(fn: FunctionDraft, template: string, variant: string, helper?: FunctionDraft): string {
  const body = fn.body;
  const [p0, p1] = fn.params;
  switch (template) {
    case "binary":
      return `Return ${p0} ${word(OP, variant)} ${p1}.`;
    case "affine": {
      const m = match(/^return (\w+) \S+ (\d+) \+ (\d+)$/, body[0], template);
      return `Return ${m[1]} ${word(OP, variant)} ${m[2]}, plus ${m[3]}.`;
    }
    case "temp": {
      const m = match(/^return \w+ (\S+) (\d+)$/, body[1], template);
      return `Compute ${p0} ${word(OP, variant)} ${p1}, then return that result ${word(OP, m[1] as string)} ${m[2]}.`;
    }
    case "three": {
      const m = match(/^return \(\w+ \S+ \w+\) (\S+) (\w+)$/, body[0], template);
      return `Compute ${p0} ${word(OP, variant)} ${p1}, then return that result ${word(OP, m[1] as string)} ${m[2]}.`;
    }
    case "threshold": {
      const k = match(/^if x \S+ (-?\d+):$/, body[0], template)[1];
      const yes = match(/^return x (\S+) (\d+)$/, body[1], template);
      const no = match(/^return x - (\d+)$/, body[2], template)[1];
      return `If x ${word(CMP, variant)} ${k}, return x ${word(OP, yes[1] as string)} ${yes[2]}; otherwise return x minus ${no}.`;
    }
    case "label": {
      const k = match(/^if x \S+ (-?\d+):$/, body[0], template)[1];
      const yes = match(/^return ('\w+')$/, body[1], template)[1];
      const no = match(/^return ('\w+')$/, body[2], template)[1];
      return `If x ${word(CMP, variant)} ${k}, return ${yes}; otherwise return ${no}.`;
    }
    case "pick": {
      const right = match(/^if a \S+ (b(?: \+ \d+)?):$/, body[0], template)[1] as string;
      return `If a ${word(CMP, variant)} ${right.replace("+", "plus")}, return a; otherwise return b.`;
    }
    case "bounded": {
      const ints = body.join(" ").match(/-?\d+/g) ?? [];
      return `Clamp x to the range ${ints[0]} to ${ints.at(-1)}: return ${ints[0]} when x is below ${ints[0]}, ${ints.at(-1)} when x is above ${ints.at(-1)}, and x otherwise.`;
    }
    case "sum_range": {
      const start = match(/^\w+ = (\d+)$/, body[0], template)[1];
      const range = match(/^for i in range\((?:(\d+), )?(\w+)\):$/, body[1], template);
      const add = match(/^\w+ \+= (.+)$/, body[2], template)[1] as string;
      return `Start from ${start} and add ${term(add)} for every i from ${range[1] ?? "0"} up to ${range[2]} (exclusive); return the total.`;
    }
    case "count_if": {
      const k = match(/^if x \S+ (\d+):$/, body[2], template)[1];
      return `Return how many items of ${p0} ${plural(variant)} ${k}.`;
    }
    case "while_shrink": {
      const limit = match(/^while \w+ > (\d+):$/, body[1], template)[1];
      const step = match(/^\w+ = \w+ \S+ (\d+)$/, body[2], template)[1];
      return `While ${p0} is greater than ${limit}, replace ${p0} by ${p0} ${word(OP, variant)} ${step}; return how many replacements were made.`;
    }
    case "product": {
      const start = match(/^\w+ = (\d+)$/, body[0], template)[1];
      const factor = match(/^\w+ \*= (.+)$/, body[2], template)[1] as string;
      const what = /^\d+$/.test(factor) ? factor : term(factor);
      return `Start from ${start} and multiply by ${what} for every i from 1 to ${p0} (inclusive); return the product.`;
    }
    case "find_index": {
      const k = match(/^if x \S+ (\d+):$/, body[1], template)[1];
      const fallback = match(/^return (.+)$/, body[3], template)[1] as string;
      const none = fallback === `len(${p0})` ? `the length of ${p0}` : fallback;
      return `Return the index of the first item of ${p0} that ${word(CMP, variant)} ${k}; if there is none, return ${none}.`;
    }
    case "best": {
      const key = match(/^if (x % 10|abs\(x\)|x) (?:>=|>|<) /, body[2], template)[1] as string;
      const which = { ">": "the first item with the largest", "<": "the first item with the smallest", ">=": "the last item with the largest" }[variant];
      if (which === undefined) throw new Error(`TinyTests describe: unknown best variant ${variant}`);
      return `Return ${which} ${word(KEYS, key)} in ${p0} (an empty ${p0} raises IndexError).`;
    }
    case "str_method": {
      const suffix = match(/^return \w+\.\w+\(\) \+ ('.*')$/, body[0], template)[1];
      return `Return ${p0} ${word(STR_METHOD, variant)}, followed by ${suffix}.`;
    }
    case "list_map": {
      const k = match(/^return \[\w+ \S+ (\d+) for/, body[0], template)[1];
      return `Return a list with each item of ${p0} ${word(OP, variant)} ${k}, in order.`;
    }
    case "list_filter": {
      const k = match(/ if \w+ \S+ (\d+)\]$/, body[0], template)[1];
      return `Return the items of ${p0} that ${plural(variant)} ${k}, in order.`;
    }
    case "join_words": {
      const sep = match(/^return ('.*')\.join/, body[0], template)[1];
      const how = { plain: "", upper: " in upper case", reversed: " in reverse order" }[variant];
      return `Return the strings of ${p0}${how ?? ""} joined with ${sep} between them.`;
    }
    case "char_query": {
      const ch = match(/^return \w+\.\w+\(('.*')\)$/, body[0], template)[1];
      const what = { count: `how many times ${ch} occurs in ${p0}`, find: `the index of the first ${ch} in ${p0}, or -1 if there is none`, startswith: `whether ${p0} starts with ${ch}`, endswith: `whether ${p0} ends with ${ch}` }[variant];
      return `Return ${what ?? "?"}.`;
    }
    case "slice": {
      const m = match(/^return \w+\[([^\]]*)\] \+ ('.*')$/, body[0], template);
      const k = (m[1] as string).replace(/[^\d]/g, "");
      const part = { "s[:K]": `the first ${k} characters of ${p0}`, "s[K:]": `${p0} without its first ${k} characters`, "s[::-1]": `${p0} reversed`, "s[-K:]": `the last ${k} characters of ${p0}` }[variant];
      return `Return ${part ?? "?"}, followed by ${m[2]}.`;
    }
    case "first_last": {
      const message = match(/^raise ValueError\(('.*')\)$/, body[1], template)[1];
      const m = match(/^return \w+\[(-?\d+)\] \S+ \w+\[(-?\d+)\]$/, body[2], template);
      return `If ${p0} is empty, raise ValueError(${message}); otherwise return ${position(m[1] as string)} ${word(OP, variant)} ${position(m[2] as string)}.`;
    }
    default:
      return describeTier5(fn, template, variant, helper);
  }
}

function describeHelper(fn: FunctionDraft, template: string): string {
  const line = fn.body[0];
  switch (template) {
    case "arith_helper": {
      const m = match(/^return x (\S+) (\d+)$/, line, template);
      return `Return x ${word(OP, m[1] as string)} ${m[2]}.`;
    }
    case "clip_helper": {
      const k = match(/^if x > (-?\d+):$/, line, template)[1];
      return `Return ${k} when x is greater than ${k}, and x otherwise.`;
    }
    case "predicate_helper": {
      const m = match(/^return x (%|>|<) (\d+)(?: == 0)?$/, line, template);
      return m[1] === "%" ? `Return whether x is divisible by ${m[2]}.` : `Return whether x ${word(CMP, m[1] as string)} ${m[2]}.`;
    }
    case "string_helper": {
      const m = match(/^return x\.(\w+)\(\) \+ ('.*')$/, line, template);
      return `Return x ${word(STR_METHOD, m[1] as string)}, followed by ${m[2]}.`;
    }
    default:
      throw new Error(`TinyTests describe: unknown template ${template}`);
  }
}

function describeTier5(fn: FunctionDraft, template: string, composition: string, helper: FunctionDraft | undefined): string {
  if (helper === undefined) return describeHelper(fn, template);
  const h = helper.name;
  const what: Record<string, string> = {
    map: `Return the list of ${h}(x) for every x in xs, in order.`,
    pair: `Return ${h}(a) + ${h}(b).`,
    chain: `Return ${h} applied twice to x, that is ${h}(${h}(x)).`,
    filter: `Return the items x of xs for which ${h}(x) is true, in order.`,
    sum: `Return the sum of ${h}(x) over the items x of xs.`,
    count: `Return how many items x of xs make ${h}(x) true.`,
    any: `Return True if ${h}(x) is true for some item x of xs, and False otherwise.`,
    join: `Return ${h}(x) of every item x of xs, joined with single spaces.`,
  };
  const text = what[composition];
  if (text === undefined) throw new Error(`TinyTests describe: unknown composition ${composition}`);
  return text;
}

/**
 * The description of a drawn module: one line per function, `name(params): what it does`,
 * helpers first (tier 5's outer function is described in terms of its helper).
 */
export function describeModule(draft: ModuleDraft, template: string, variant: string): string {
  const [first] = draft.functions;
  return draft.functions
    .map((fn, i) => `${fn.name}(${fn.params.join(", ")}): ${describeOne(fn, template, variant, i > 0 ? first : undefined)}`)
    .join("\n");
}
