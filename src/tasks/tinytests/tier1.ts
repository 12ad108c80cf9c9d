/** Tier 1: straight-line arithmetic on integers (no branches, no loops). */
import type { Rng } from "../../util/rng.js";
import { args, distinctInts, PARAMS, type Template, type Tier } from "./draft.js";

const OPERATORS = ["+", "-", "*", "//", "%"] as const;

/** Pairs of small ints; for // and % one pair has a zero divisor so a test checks the raise. */
function pairs(rng: Rng, op: string, count: number): string[][] {
  const out: string[][] = [];
  const firsts = distinctInts(rng, count, -6, 12);
  for (const a of firsts) out.push(args(a, rng.int(1, 9)));
  if (op === "//" || op === "%") out.push(args(rng.int(1, 9), 0));
  else out.push(args(0, 0));
  return out;
}

/** A divisor-safe constant: never 0 or 1, so the operator always matters. */
function constant(rng: Rng): number {
  return rng.int(2, 9);
}

const binary: Template = {
  name: "binary",
  variants: OPERATORS,
  draft: (rng, op) => {
    const [a, b] = rng.pick(PARAMS.pair);
    return { functions: [{ name: rng.pick(["calc", "combine", "apply", "operate", "join_nums", "merge_nums"]), params: [a, b], body: [`return ${a} ${op} ${b}`], inputs: pairs(rng, op, 4) }] };
  },
};

const affine: Template = {
  name: "affine",
  variants: OPERATORS,
  draft: (rng, op) => {
    const k = constant(rng);
    const c = rng.int(1, 9);
    const x = rng.pick(PARAMS.one);
    return {
      functions: [
        {
          name: rng.pick(["scale", "transform", "convert", "adjust_num", "remap", "step_value"]),
          params: [x],
          body: [`return ${x} ${op} ${k} + ${c}`],
          inputs: distinctInts(rng, 5, -5, 20, [0]).map((x) => args(x)),
        },
      ],
    };
  },
};

const temp: Template = {
  name: "temp",
  variants: OPERATORS,
  draft: (rng, op) => {
    const k = constant(rng);
    const second = rng.pick(["+", "-", "*"]);
    const [a, b] = rng.pick(PARAMS.pair);
    const temp = rng.pick(["t", "tmp", "result", "partial"]);
    return {
      functions: [
        {
          name: rng.pick(["mix", "blend", "fuse", "pair_calc", "work_out", "crunch"]),
          params: [a, b],
          body: [`${temp} = ${a} ${op} ${b}`, `return ${temp} ${second} ${k}`],
          inputs: pairs(rng, op, 4),
        },
      ],
    };
  },
};

const three: Template = {
  name: "three",
  variants: OPERATORS,
  draft: (rng, op) => {
    const outer = rng.pick(["+", "-", "*"]);
    const [a, b, c] = rng.pick(PARAMS.triple);
    const inputs = distinctInts(rng, 4, -4, 10).map((a) => args(a, rng.int(1, 6), rng.int(-3, 6)));
    inputs.push(op === "//" || op === "%" ? args(5, 0, 1) : args(0, 0, 0));
    return {
      functions: [{ name: rng.pick(["total", "compute", "evaluate", "formula", "tally3", "reckon"]), params: [a, b, c], body: [`return (${a} ${op} ${b}) ${outer} ${c}`], inputs }],
    };
  },
};

export const tier1: Tier = { tier: 1, name: "arithmetic", templates: [binary, affine, temp, three] };
