/**
 * Tier 5: several functions per module — a small helper and a function that calls it.
 * Templates are the helper's kind; variants are how the outer function uses the helper
 * (map, pair, chain, sum for numbers; map, filter, count, any for predicates; map, pair, chain,
 * join for strings).
 */
import type { Rng } from "../../util/rng.js";
import { args, distinctInts, phrase, py, WORDS, type FunctionDraft, type ModuleDraft, type PyValue, type Template, type Tier } from "./draft.js";

/** How an outer function can use a helper; each helper kind lists the ones that make sense for it. */
const NUMERIC = ["map", "pair", "chain", "sum"] as const;
const PREDICATE = ["map", "filter", "count", "any"] as const;
const TEXT = ["map", "pair", "chain", "join"] as const;

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
      outer = { name: rng.pick(["apply_all", "map_values", "convert_each", "map_over"]), params: ["xs"], body: [`return [${h}(x) for x in xs]`], inputs: inputsOf(rng, list, 3) };
      break;
    case "pair":
      outer = {
        name: rng.pick(["combine_two", "pair_up", "both", "join_pair"]),
        params: ["a", "b"],
        body: [`return ${h}(a) + ${h}(b)`],
        inputs: Array.from({ length: 4 }, () => args(helper.value(rng), helper.value(rng))),
      };
      break;
    case "chain":
      outer = { name: rng.pick(["twice", "repeat_once", "apply_twice", "double_apply"]), params: ["x"], body: [`return ${h}(${h}(x))`], inputs: inputsOf(rng, helper.value, 4) };
      break;
    case "filter":
      outer = {
        name: rng.pick(["keep_matching", "select_values", "only_good", "filter_good"]),
        params: ["xs"],
        body: ["result = []", "for x in xs:", `    if ${h}(x):`, "        result.append(x)", "return result"],
        inputs: inputsOf(rng, list, 3),
      };
      break;
    case "sum":
      outer = { name: rng.pick(["total_of", "sum_all", "add_all", "grand_total"]), params: ["xs"], body: ["total = 0", "for x in xs:", `    total += ${h}(x)`, "return total"], inputs: inputsOf(rng, list, 3) };
      break;
    case "count":
      outer = { name: rng.pick(["count_good", "how_many", "number_of", "count_valid"]), params: ["xs"], body: [`return sum(1 for x in xs if ${h}(x))`], inputs: inputsOf(rng, list, 3) };
      break;
    case "any":
      outer = { name: rng.pick(["any_good", "has_match", "exists", "contains_good"]), params: ["xs"], body: ["for x in xs:", `    if ${h}(x):`, "        return True", "return False"], inputs: inputsOf(rng, list, 4) };
      break;
    case "join":
      outer = { name: rng.pick(["join_all", "combine_all", "render_all", "glue_all"]), params: ["xs"], body: [`return ' '.join(${h}(x) for x in xs)`], inputs: inputsOf(rng, list, 3) };
      break;
    default:
      throw new Error(`unknown TinyTests composition ${composition}`);
  }
  return { functions: [helper.fn, outer] };
}

function helperTemplate(name: string, variants: readonly string[], makeHelper: (rng: Rng) => Helper): Template {
  return { name, variants, draft: (rng, composition) => compose(rng, makeHelper(rng), composition) };
}

const smallInt = (r: Rng): PyValue => r.int(-4, 12);

const arithmetic = helperTemplate("arith_helper", NUMERIC, (rng) => {
  const value = smallInt;
  const body = [`return x ${rng.pick(["*", "+", "-"])} ${rng.int(2, 9)}`];
  return { fn: { name: rng.pick(["double", "step", "scale", "bump", "nudge"]), params: ["x"], body, inputs: inputsOf(rng, value, 4) }, value };
});

const clip = helperTemplate("clip_helper", NUMERIC, (rng) => {
  const k = rng.int(-3, 12);
  const value = smallInt;
  const fn = { name: rng.pick(["clip", "cap", "limit", "ceiling", "at_most"]), params: ["x"], body: [`if x > ${k}:`, `    return ${k}`, "return x"], inputs: distinctInts(rng, 4, k - 3, k + 3, [k]).map((x) => args(x)) };
  return { fn, value };
});

const predicate = helperTemplate("predicate_helper", PREDICATE, (rng) => {
  const k = rng.int(2, 9);
  const body = [rng.pick([`return x % ${k} == 0`, `return x > ${k}`, `return x < ${k}`])];
  // Values on both sides of the threshold (and multiples of k), so both answers appear.
  const value = (r: Rng): PyValue => r.pick([k - 1, k, k + 1, 2 * k, r.int(-4, 12)]);
  return { fn: { name: rng.pick(["is_good", "matches", "is_valid", "ok", "accept"]), params: ["x"], body, inputs: distinctInts(rng, 4, -4, 12, [k - 1, k, k + 1, 2 * k]).map((x) => args(x)) }, value };
});

const text = helperTemplate("string_helper", TEXT, (rng) => {
  const body = [`return x.${rng.pick(["upper", "strip", "lower"])}() + ${py(rng.pick(["!", "?", "-", "."]))}`];
  const value = (r: Rng): PyValue => (r.next() < 0.2 ? "" : r.next() < 0.5 ? r.pick(WORDS) : phrase(r));
  return { fn: { name: rng.pick(["shout", "clean", "tidy", "polish", "mark"]), params: ["x"], body, inputs: inputsOf(rng, value, 4) }, value };
});

export const tier5: Tier = { tier: 5, name: "multi-function", templates: [arithmetic, clip, predicate, text] };
