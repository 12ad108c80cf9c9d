/**
 * Tier 5: several functions per module — a small helper and a function that calls it.
 * Templates are the helper's kind; variants are how the outer function uses the helper.
 */
import type { Rng } from "../../util/rng.js";
import { args, distinctInts, phrase, py, WORDS, type FunctionDraft, type ModuleDraft, type PyValue, type Template, type Tier } from "./draft.js";

const COMPOSITIONS = ["map", "pair", "chain", "filter"] as const;

interface Helper {
  fn: FunctionDraft;
  /** Draws one value of the helper's input type. */
  value: (rng: Rng) => PyValue;
}

function inputsOf(rng: Rng, value: (rng: Rng) => PyValue, count: number): string[][] {
  return Array.from({ length: count }, () => args(value(rng)));
}

/** The outer function for a composition, calling `helper`. */
function compose(rng: Rng, helper: Helper, composition: string): ModuleDraft {
  const h = helper.fn.name;
  const list = (r: Rng): PyValue => Array.from({ length: r.int(0, 4) }, () => helper.value(r));
  let outer: FunctionDraft;
  switch (composition) {
    case "map":
      outer = { name: rng.pick(["apply_all", "map_values"]), params: ["xs"], body: [`return [${h}(x) for x in xs]`], inputs: inputsOf(rng, list, 3) };
      break;
    case "pair":
      outer = {
        name: rng.pick(["combine_two", "pair_up"]),
        params: ["a", "b"],
        body: [`return ${h}(a) + ${h}(b)`],
        inputs: Array.from({ length: 4 }, () => args(helper.value(rng), helper.value(rng))),
      };
      break;
    case "chain":
      outer = { name: rng.pick(["twice", "repeat_once"]), params: ["x"], body: [`return ${h}(${h}(x))`], inputs: inputsOf(rng, helper.value, 4) };
      break;
    case "filter":
      outer = {
        name: rng.pick(["keep_matching", "select_values"]),
        params: ["xs"],
        body: ["result = []", "for x in xs:", `    if ${h}(x):`, "        result.append(x)", "return result"],
        inputs: inputsOf(rng, list, 3),
      };
      break;
    default:
      throw new Error(`unknown TinyTests composition ${composition}`);
  }
  return { functions: [helper.fn, outer] };
}

function helperTemplate(name: string, makeHelper: (rng: Rng) => Helper): Template {
  return { name, variants: COMPOSITIONS, draft: (rng, composition) => compose(rng, makeHelper(rng), composition) };
}

const smallInt = (r: Rng): PyValue => r.int(-4, 12);

const arithmetic = helperTemplate("arith_helper", (rng) => {
  const value = smallInt;
  const body = [`return x ${rng.pick(["*", "+", "-"])} ${rng.int(2, 5)}`];
  return { fn: { name: rng.pick(["double", "step", "scale"]), params: ["x"], body, inputs: inputsOf(rng, value, 4) }, value };
});

const clip = helperTemplate("clip_helper", (rng) => {
  const k = rng.int(0, 8);
  const value = smallInt;
  const fn = { name: rng.pick(["clip", "cap", "limit"]), params: ["x"], body: [`if x > ${k}:`, `    return ${k}`, "return x"], inputs: distinctInts(rng, 4, k - 3, k + 3, [k]).map((x) => args(x)) };
  return { fn, value };
});

const predicate = helperTemplate("predicate_helper", (rng) => {
  const body = [rng.pick([`return x % ${rng.int(2, 4)} == 0`, `return x > ${rng.int(0, 6)}`, `return x < ${rng.int(0, 6)}`])];
  const value = smallInt;
  return { fn: { name: rng.pick(["is_good", "matches", "is_valid"]), params: ["x"], body, inputs: inputsOf(rng, value, 4) }, value };
});

const text = helperTemplate("string_helper", (rng) => {
  const body = [`return x.${rng.pick(["upper", "strip", "lower"])}() + ${py(rng.pick(["!", "?", "-", "."]))}`];
  const value = (r: Rng): PyValue => (r.next() < 0.2 ? "" : r.next() < 0.5 ? r.pick(WORDS) : phrase(r));
  return { fn: { name: rng.pick(["shout", "clean", "tidy"]), params: ["x"], body, inputs: inputsOf(rng, value, 4) }, value };
});

export const tier5: Tier = { tier: 5, name: "multi-function", templates: [arithmetic, clip, predicate, text] };
