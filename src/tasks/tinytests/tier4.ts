/** Tier 4: strings and lists (methods, comprehensions, slicing, joins). */
import type { Rng } from "../../util/rng.js";
import { args, intList, PARAMS, phrase, py, WORDS, type Template, type Tier } from "./draft.js";

const SUFFIXES = ["!", "?", ".", "-", "+", "ok", "yes", "no", "end", "x", "z", "zz"] as const;

function phrases(rng: Rng, count: number): string[][] {
  return [...Array.from({ length: count }, () => args(phrase(rng))), args("")];
}

function numberLists(rng: Rng, count: number): string[][] {
  return [...Array.from({ length: count }, () => args(intList(rng, 1, 5))), args([])];
}

const strMethod: Template = {
  name: "str_method",
  variants: ["upper", "lower", "strip", "title", "capitalize", "swapcase"],
  draft: (rng, method) => {
    const s = rng.pick(PARAMS.text);
    return {
      functions: [{ name: rng.pick(["format_text", "tidy", "style", "dress_up", "restyle"]), params: [s], body: [`return ${s}.${method}() + ${py(rng.pick(SUFFIXES))}`], inputs: phrases(rng, 4) }],
    };
  },
};

const listMap: Template = {
  name: "list_map",
  variants: ["+", "-", "*", "%"],
  draft: (rng, op) => {
    const xs = rng.pick(PARAMS.list);
    const x = rng.pick(["x", "v", "item"]);
    return {
      functions: [
        { name: rng.pick(["map_all", "apply_each", "convert_all", "shift_all", "each_one"]), params: [xs], body: [`return [${x} ${op} ${rng.int(2, 9)} for ${x} in ${xs}]`], inputs: numberLists(rng, 3) },
      ],
    };
  },
};

const listFilter: Template = {
  name: "list_filter",
  variants: ["<", ">", "==", "!=", "<=", ">="],
  draft: (rng, cmp) => {
    const xs = rng.pick(PARAMS.list);
    const x = rng.pick(["x", "v", "item"]);
    return {
      functions: [
        { name: rng.pick(["keep", "select_items", "filter_items", "only_some", "pick_out"]), params: [xs], body: [`return [${x} for ${x} in ${xs} if ${x} ${cmp} ${rng.int(0, 9)}]`], inputs: numberLists(rng, 3) },
      ],
    };
  },
};

const JOIN_FORMS: Record<string, string> = { plain: "W", upper: "(w.upper() for w in W)", reversed: "reversed(W)" };

const joinWords: Template = {
  name: "join_words",
  variants: ["plain", "upper", "reversed"],
  draft: (rng, form) => {
    const sep = py(rng.pick([" ", "-", ",", "_", ":", "/", "+", ", "]));
    const words = rng.pick(["words", "parts", "names"]);
    const expression = JOIN_FORMS[form]?.replace("W", words);
    if (expression === undefined) throw new Error(`unknown join_words variant ${form}`);
    const inputs = Array.from({ length: 3 }, () => args(Array.from({ length: rng.int(1, 3) }, () => rng.pick(WORDS))));
    return {
      functions: [
        { name: rng.pick(["join_words", "glue", "link", "chain_words", "assemble"]), params: [words], body: [`return ${sep}.join(${expression})`], inputs: [...inputs, args([])] },
      ],
    };
  },
};

/** The character a query asks about comes from one of the inputs, so the answers vary. */
function charFrom(rng: Rng, text: string, method: string): string {
  const word = text.trim() === "" ? rng.pick(WORDS) : text.trim();
  if (method === "startswith") return word.charAt(0);
  if (method === "endswith") return word.charAt(word.length - 1);
  return word.charAt(rng.int(0, word.length - 1));
}

const charQuery: Template = {
  name: "char_query",
  variants: ["count", "find", "startswith", "endswith"],
  draft: (rng, method) => {
    const texts = Array.from({ length: 4 }, () => phrase(rng));
    const s = rng.pick(PARAMS.text);
    const ch = charFrom(rng, rng.pick(texts), method);
    return {
      functions: [
        { name: rng.pick(["check", "inspect", "look", "probe", "query_text"]), params: [s], body: [`return ${s}.${method}(${py(ch)})`], inputs: [...texts, ""].map((t) => args(t)) },
      ],
    };
  },
};

const slice: Template = {
  name: "slice",
  variants: ["s[:K]", "s[K:]", "s[::-1]", "s[-K:]"],
  draft: (rng, form) => {
    const s = rng.pick(PARAMS.text);
    return {
      functions: [
        {
          name: rng.pick(["cut", "part", "trim_text", "snip", "excerpt"]),
          params: [s],
          body: [`return ${form.replace("K", String(rng.int(1, 3))).replace("s", s)} + ${py(rng.pick(SUFFIXES))}`],
          inputs: phrases(rng, 4),
        },
      ],
    };
  },
};

const firstLast: Template = {
  name: "first_last",
  variants: ["+", "-", "*"],
  draft: (rng, op) => {
    const xs = rng.pick(PARAMS.list);
    const [first, last] = rng.pick([["0", "-1"], ["0", "1"], ["-1", "-2"]]);
    return {
      functions: [
        {
          name: rng.pick(["ends", "edges", "outer", "bookends", "span_value"]),
          params: [xs],
          body: [`if not ${xs}:`, `    raise ValueError(${py(rng.pick(["empty", "empty list", "no items"]))})`, `return ${xs}[${first}] ${op} ${xs}[${last}]`],
          inputs: numberLists(rng, 4),
        },
      ],
    };
  },
};

export const tier4: Tier = {
  tier: 4,
  name: "strings-lists",
  templates: [strMethod, listMap, listFilter, joinWords, charQuery, slice, firstLast],
};
