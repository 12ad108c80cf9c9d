/** Tier 3: for and while loops with an accumulator. */
import type { Rng } from "../../util/rng.js";
import { args, distinctInts, intList, PARAMS, type Template, type Tier } from "./draft.js";

function lists(rng: Rng, count: number, includeEmpty: boolean): string[][] {
  const out = Array.from({ length: count }, () => args(intList(rng, 1, 5)));
  if (includeEmpty) out.push(args([]));
  return out;
}

const COUNTERS = ["n", "count", "limit", "k"] as const;

const sumRange: Template = {
  name: "sum_range",
  variants: ["i", "i * K", "i + K", "i % K"],
  draft: (rng, form) => {
    const n = rng.pick(COUNTERS);
    const start = rng.int(0, 2);
    const total = rng.pick(["total", "acc", "result"]);
    const range = start === 0 ? `range(${n})` : `range(${start}, ${n})`;
    return {
      functions: [
        {
          name: rng.pick(["sum_up", "accumulate", "series", "running_total", "add_range"]),
          params: [n],
          body: [`${total} = ${rng.int(0, 3)}`, `for i in ${range}:`, `    ${total} += ${form.replace("K", String(rng.int(2, 9)))}`, `return ${total}`],
          inputs: distinctInts(rng, 5, 1, 9, [0]).map((v) => args(v)),
        },
      ],
    };
  },
};

const countIf: Template = {
  name: "count_if",
  variants: ["<", ">", "==", "!="],
  draft: (rng, cmp) => {
    const xs = rng.pick(PARAMS.list);
    const count = rng.pick(["count", "hits", "found"]);
    return {
      functions: [
        {
          name: rng.pick(["count_matches", "tally", "count_items", "how_many", "count_if"]),
          params: [xs],
          body: [`${count} = 0`, `for x in ${xs}:`, `    if x ${cmp} ${rng.int(0, 9)}:`, `        ${count} += 1`, `return ${count}`],
          inputs: lists(rng, 4, true),
        },
      ],
    };
  },
};

const whileShrink: Template = {
  name: "while_shrink",
  variants: ["//", "-", ">>"],
  draft: (rng, op) => {
    const k = op === ">>" ? rng.int(1, 2) : rng.int(2, 5);
    const limit = rng.int(0, 5);
    const n = rng.pick(COUNTERS);
    const steps = rng.pick(["steps", "rounds", "count"]);
    return {
      functions: [
        {
          name: rng.pick(["steps", "count_steps", "shrink", "reduce_steps", "iterations"]),
          params: [n],
          body: [`${steps} = 0`, `while ${n} > ${limit}:`, `    ${n} = ${n} ${op} ${k}`, `    ${steps} += 1`, `return ${steps}`],
          inputs: distinctInts(rng, 5, 0, 40, [limit]).map((v) => args(v)),
        },
      ],
    };
  },
};

const product: Template = {
  name: "product",
  variants: ["i", "i + K", "K"],
  draft: (rng, form) => {
    const n = rng.pick(COUNTERS);
    const result = rng.pick(["result", "prod", "acc"]);
    return {
      functions: [
        {
          name: rng.pick(["product", "multiply_up", "power_up", "grow", "compound"]),
          params: [n],
          body: [`${result} = ${rng.int(1, 3)}`, `for i in range(1, ${n} + 1):`, `    ${result} *= ${form.replace("K", String(rng.int(2, 4)))}`, `return ${result}`],
          inputs: distinctInts(rng, 4, 1, 6, [0]).map((v) => args(v)),
        },
      ],
    };
  },
};

const findIndex: Template = {
  name: "find_index",
  variants: [">", "<", "=="],
  draft: (rng, cmp) => {
    const xs = rng.pick(PARAMS.list);
    return {
      functions: [
        {
          name: rng.pick(["find_first", "index_of", "locate", "first_match", "position"]),
          params: [xs],
          body: [`for i, x in enumerate(${xs}):`, `    if x ${cmp} ${rng.int(0, 9)}:`, "        return i", `return ${rng.pick(["-1", "None", `len(${xs})`])}`],
          inputs: lists(rng, 4, true),
        },
      ],
    };
  },
};

const best: Template = {
  name: "best",
  variants: [">", "<", ">="],
  draft: (rng, cmp) => {
    const xs = rng.pick(PARAMS.list);
    const key = rng.pick(["x", "abs(x)", "x % 10"]);
    const current = key.replace(/\bx\b/g, "result");
    return {
      functions: [
        {
          name: rng.pick(["best", "extreme", "pick_best", "champion", "top_item"]),
          params: [xs],
          // xs[0] on an empty list raises IndexError: the tests check that with pytest.raises.
          body: [`result = ${xs}[0]`, `for x in ${xs}[1:]:`, `    if ${key} ${cmp} ${current}:`, "        result = x", "return result"],
          inputs: lists(rng, 4, true),
        },
      ],
    };
  },
};

export const tier3: Tier = { tier: 3, name: "loops", templates: [sumRange, countIf, whileShrink, product, findIndex, best] };
