/**
 * Renders the reference pytest file of a TinyTests module from the observed results of its
 * calls: plain asserts, or a parametrized test (chosen by the seeded RNG), plus a
 * pytest.raises test for inputs that raise.
 */
import type { Rng } from "../../util/rng.js";
import type { FunctionDraft } from "./draft.js";
import type { CallOutcome } from "./evaluate-calls.js";

export interface ObservedCall {
  args: string[];
  outcome: CallOutcome;
}

export interface RenderedTests {
  text: string;
  usesPytest: boolean;
}

interface Case {
  args: string[];
  expected: string;
}

const PARAMETRIZE_PROBABILITY = 0.35;
const MAX_RAISES = 2;
const LINE_LIMIT = 88;

function callText(name: string, args: string[]): string {
  return `${name}(${args.join(", ")})`;
}

/** `assert f(x) == 3`, or `is True/False/None` for singletons. */
function assertLine(name: string, c: Case): string {
  const op = c.expected === "True" || c.expected === "False" || c.expected === "None" ? "is" : "==";
  return `    assert ${callText(name, c.args)} ${op} ${c.expected}`;
}

function parametrized(fn: FunctionDraft, cases: Case[]): string {
  const names = `"${[...fn.params, "expected"].join(", ")}"`;
  const rows = cases.map((c) => `(${[...c.args, c.expected].join(", ")})`);
  const oneLine = `@pytest.mark.parametrize(${names}, [${rows.join(", ")}])`;
  const decorator =
    oneLine.length <= LINE_LIMIT ? oneLine : ["@pytest.mark.parametrize(", `    ${names},`, "    [", ...rows.map((r) => `        ${r},`), "    ],", ")"].join("\n");
  return `${decorator}\ndef test_${fn.name}(${fn.params.join(", ")}, expected):\n    assert ${callText(fn.name, fn.params)} == expected`;
}

/**
 * Between one and all of the cases, in their order. Reference files of every size teach a
 * model that a short file with one case it can get right is a test file too; how much more a
 * longer file is worth is then for the reward (mutants killed) to say, not for the data.
 */
function keepSome(rng: Rng, cases: Case[]): Case[] {
  const count = rng.int(1, cases.length);
  const chosen = new Set(rng.shuffle(cases.map((_, i) => i)).slice(0, count));
  return cases.filter((_, i) => chosen.has(i));
}

/**
 * The test functions for one function, and whether they use pytest; undefined when no call
 * returned a value a test can compare against (the caller then draws another function).
 */
export function renderFunctionTests(rng: Rng, fn: FunctionDraft, observed: ObservedCall[]): RenderedTests | undefined {
  const seen = new Set<string>();
  const cases: Case[] = [];
  const raises: { args: string[]; exception: string }[] = [];
  for (const call of observed) {
    const key = call.args.join(", ");
    if (seen.has(key)) continue;
    seen.add(key);
    const outcome = call.outcome;
    if (outcome.ok) {
      if (outcome.literal) cases.push({ args: call.args, expected: outcome.repr });
    } else if ("exception" in outcome && outcome.builtin && raises.length < MAX_RAISES) {
      raises.push({ args: call.args, exception: outcome.exception });
    }
  }
  if (cases.length === 0) return undefined;
  const kept = keepSome(rng, cases);
  const blocks: string[] = [];
  const useParametrize = kept.length >= 3 && rng.next() < PARAMETRIZE_PROBABILITY;
  blocks.push(useParametrize ? parametrized(fn, kept) : [`def test_${fn.name}():`, ...kept.map((c) => assertLine(fn.name, c))].join("\n"));
  if (raises.length > 0) {
    const lines = raises.flatMap((r) => [`    with pytest.raises(${r.exception}):`, `        ${callText(fn.name, r.args)}`]);
    blocks.push([`def test_${fn.name}_raises():`, ...lines].join("\n"));
  }
  return { text: blocks.join("\n\n\n"), usesPytest: useParametrize || raises.length > 0 };
}

/** The whole test file: imports, then each function's tests. */
export function renderTestFile(module: string, functionNames: string[], tests: RenderedTests[]): string {
  const header = [...(tests.some((t) => t.usesPytest) ? ["import pytest", ""] : []), `from ${module} import ${functionNames.join(", ")}`];
  return `${[header.join("\n"), ...tests.map((t) => t.text)].join("\n\n\n")}\n`;
}
