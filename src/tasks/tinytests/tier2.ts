/** Tier 2: branches (if / elif / else) on integers. */
import type { Rng } from "../../util/rng.js";
import { args, distinctInts, py, type Template, type Tier } from "./draft.js";

const COMPARISONS = ["<", "<=", ">", ">=", "==", "!="] as const;

/** Inputs on both sides of a threshold and on it, so every branch and the boundary are tested. */
function around(rng: Rng, k: number): string[][] {
  return distinctInts(rng, 5, k - 6, k + 6, [k - 1, k, k + 1]).map((x) => args(x));
}

const threshold: Template = {
  name: "threshold",
  variants: COMPARISONS,
  draft: (rng, cmp) => {
    const k = rng.int(-3, 10);
    const [yes, no] = [rng.int(1, 9), rng.int(1, 9)];
    const op = rng.pick(["+", "-", "*"]);
    return {
      functions: [
        {
          name: rng.pick(["adjust", "shift", "bump"]),
          params: ["x"],
          body: [`if x ${cmp} ${k}:`, `    return x ${op} ${yes}`, `return x - ${no}`],
          inputs: around(rng, k),
        },
      ],
    };
  },
};

const LABELS = [
  ["big", "small"],
  ["high", "low"],
  ["yes", "no"],
  ["hot", "cold"],
  ["on", "off"],
  ["up", "down"],
] as const;

const label: Template = {
  name: "label",
  variants: COMPARISONS,
  draft: (rng, cmp) => {
    const k = rng.int(-5, 20);
    const [yes, no] = rng.pick(LABELS);
    return {
      functions: [
        {
          name: rng.pick(["classify", "describe", "grade"]),
          params: ["x"],
          body: [`if x ${cmp} ${k}:`, `    return ${py(yes)}`, `return ${py(no)}`],
          inputs: around(rng, k),
        },
      ],
    };
  },
};

const pick: Template = {
  name: "pick",
  variants: COMPARISONS,
  draft: (rng, cmp) => {
    const k = rng.int(0, 6);
    const right = k === 0 ? "b" : `b + ${k}`;
    const inputs = distinctInts(rng, 4, -5, 12).map((a) => args(a, a - k + rng.int(-2, 2)));
    inputs.push(args(3, 3 - k));
    return {
      functions: [
        { name: rng.pick(["choose", "select", "prefer"]), params: ["a", "b"], body: [`if a ${cmp} ${right}:`, "    return a", "return b"], inputs },
      ],
    };
  },
};

/** Clamping to [lo, hi], written three ways (the variants). */
const CLAMP_FORMS: Record<string, (lo: number, hi: number) => string[]> = {
  "if-elif": (lo, hi) => [`if x < ${lo}:`, `    return ${lo}`, `elif x > ${hi}:`, `    return ${hi}`, "else:", "    return x"],
  "min-max": (lo, hi) => [`return max(${lo}, min(x, ${hi}))`],
  "early-return": (lo, hi) => [`if x <= ${lo}:`, `    return ${lo}`, `if x >= ${hi}:`, `    return ${hi}`, "return x"],
};

const bounded: Template = {
  name: "bounded",
  variants: Object.keys(CLAMP_FORMS),
  draft: (rng, form) => {
    const lo = rng.int(-5, 3);
    const hi = lo + rng.int(3, 10);
    const body = CLAMP_FORMS[form];
    if (body === undefined) throw new Error(`unknown bounded variant ${form}`);
    const inputs = distinctInts(rng, 6, lo - 4, hi + 4, [lo, hi, lo - 1, hi + 1]).map((x) => args(x));
    return { functions: [{ name: rng.pick(["clamp", "limit", "bound"]), params: ["x"], body: body(lo, hi), inputs }] };
  },
};

export const tier2: Tier = { tier: 2, name: "branches", templates: [threshold, label, pick, bounded] };
