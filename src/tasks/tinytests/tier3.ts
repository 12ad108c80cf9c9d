/** Tier 3: for and while loops with an accumulator. */
import type { Rng } from "../../util/rng.js";
import { args, distinctInts, intList, type Template, type Tier } from "./draft.js";

function lists(rng: Rng, count: number, includeEmpty: boolean): string[][] {
  const out = Array.from({ length: count }, () => args(intList(rng, 1, 5)));
  if (includeEmpty) out.push(args([]));
  return out;
}

const sumRange: Template = {
  name: "sum_range",
  variants: ["i", "i * K", "i + K", "i % K"],
  draft: (rng, form) => {
    const k = rng.int(2, 5);
    return {
      functions: [
        {
          name: rng.pick(["sum_up", "accumulate", "series"]),
          params: ["n"],
          body: ["total = 0", "for i in range(n):", `    total += ${form.replace("K", String(k))}`, "return total"],
          inputs: distinctInts(rng, 5, 1, 9, [0]).map((n) => args(n)),
        },
      ],
    };
  },
};

const countIf: Template = {
  name: "count_if",
  variants: ["<", ">", "==", "!="],
  draft: (rng, cmp) => {
    const k = rng.int(0, 5);
    return {
      functions: [
        {
          name: rng.pick(["count_matches", "tally", "count_items"]),
          params: ["xs"],
          body: ["count = 0", "for x in xs:", `    if x ${cmp} ${k}:`, "        count += 1", "return count"],
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
    const k = op === ">>" ? 1 : rng.int(2, 4);
    const limit = rng.int(0, 3);
    return {
      functions: [
        {
          name: rng.pick(["steps", "count_steps", "shrink"]),
          params: ["n"],
          body: ["steps = 0", `while n > ${limit}:`, `    n = n ${op} ${k}`, "    steps += 1", "return steps"],
          inputs: distinctInts(rng, 5, 0, 40, [limit]).map((n) => args(n)),
        },
      ],
    };
  },
};

const product: Template = {
  name: "product",
  variants: ["i", "i + K", "K"],
  draft: (rng, form) => {
    const k = rng.int(2, 3);
    return {
      functions: [
        {
          name: rng.pick(["product", "multiply_up", "power_up"]),
          params: ["n"],
          body: ["result = 1", "for i in range(1, n + 1):", `    result *= ${form.replace("K", String(k))}`, "return result"],
          inputs: distinctInts(rng, 4, 1, 6, [0]).map((n) => args(n)),
        },
      ],
    };
  },
};

const findIndex: Template = {
  name: "find_index",
  variants: [">", "<", "=="],
  draft: (rng, cmp) => {
    const k = rng.int(0, 5);
    return {
      functions: [
        {
          name: rng.pick(["find_first", "index_of", "locate"]),
          params: ["xs"],
          body: ["for i, x in enumerate(xs):", `    if x ${cmp} ${k}:`, "        return i", "return -1"],
          inputs: lists(rng, 4, true),
        },
      ],
    };
  },
};

const best: Template = {
  name: "best",
  variants: [">", "<", ">="],
  draft: (rng, cmp) => ({
    functions: [
      {
        name: rng.pick(["best", "extreme", "pick_best"]),
        params: ["xs"],
        // xs[0] on an empty list raises IndexError: the tests check that with pytest.raises.
        body: ["result = xs[0]", "for x in xs[1:]:", `    if x ${cmp} result:`, "        result = x", "return result"],
        inputs: lists(rng, 4, true),
      },
    ],
  }),
};

export const tier3: Tier = { tier: 3, name: "loops", templates: [sumRange, countIf, whileShrink, product, findIndex, best] };
