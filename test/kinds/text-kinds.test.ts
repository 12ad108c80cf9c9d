/**
 * The text kinds' checks: docstring (structure against the real signature, doctests run in the
 * real sandbox) and explain (length, structure, parameters, placeholders). For each rule an
 * answer that must pass and answers that must fail with that rule's outcome.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { kindOf } from "../../src/kinds/index.js";
import { documentedArgs, sections } from "../../src/kinds/docstring.js";
import { checkExplanation } from "../../src/kinds/explain.js";
import { functionFacts, stripDocstring } from "../../src/kinds/python-function.js";
import { kindPrompt, kindTarget } from "../../src/kinds/prompt.js";
import { SandboxPool } from "../../src/sandbox/pool.js";
import { taskSchema, type Task } from "../../src/tasks/schema.js";
import type { KindCheck } from "../../src/kinds/kind.js";

const CODE = [
  "def clip(values, low, high=10, *rest, scale=1, **options):",
  '    """Clip each value into [low, high]."""',
  "    out = []",
  "    for v in values:",
  "        out.append(min(max(v, low), high) * scale)",
  "    return out",
  "",
  "",
  "class Box:",
  "    def area(self, factor):",
  "        return factor",
  "",
  "    def reset(self):",
  "        self.size = 0",
  "",
].join("\n");

const GOOD = `"""Clip each value into the range from low to high.

Args:
    values (list[int]): The numbers to clip.
    low: The lower bound.
    high: The upper bound.
        Defaults to 10.
    *rest: Ignored.
    scale: A factor applied after clipping.
    **options: Ignored.

Returns:
    list[int]: The clipped values, each times scale.

Example:
    >>> clip([1, 5, 20], 2, 10)
    [2, 5, 10]
"""`;

let given = "";
const task = (kind: "docstring" | "explain", extra: Partial<Task> = {}): Task =>
  taskSchema.parse({ id: `t/${kind}`, source: "test", kind, code: CODE, entry_points: ["clip"], given, metadata: { function: "clip" }, ...extra });

let pool: SandboxPool;
before(async () => {
  pool = await SandboxPool.start({ workers: 2, memoryMb: 256, defaultTimeoutS: 15 }); // generous: no honest run may time out on a loaded machine
  const facts = await functionFacts(CODE, "clip");
  assert.ok(facts !== undefined);
  given = stripDocstring(CODE, facts);
});
after(async () => {
  await pool.close();
});

async function check(t: Task, completion: string): Promise<KindCheck> {
  const kind = kindOf(t);
  return kind.check(t, kind.extract(completion, t), { executor: pool });
}

test("function facts: real parameters, returns, a method's self dropped, the docstring stripped", async () => {
  const clip = await functionFacts(CODE, "clip");
  assert.deepEqual([clip?.params, clip?.returnsValue, clip?.docstring], [["values", "low", "high", "rest", "scale", "options"], true, "Clip each value into [low, high]."]);
  assert.ok(!given.includes('"""') && given.startsWith("def clip(values, low, high=10, *rest, scale=1, **options):\n    out = []\n"));
  const area = await functionFacts(CODE, "Box.area");
  assert.deepEqual([area?.params, area?.returnsValue], [["factor"], true]);
  const reset = await functionFacts(CODE, "Box.reset");
  assert.deepEqual([reset?.params, reset?.returnsValue], [[], false]);
  assert.equal(await functionFacts(CODE, "missing"), undefined);
});

test("Google sections and the names an Args: section documents", () => {
  const parts = sections("Sum.\n\nArgs:\n    a (int): first.\n        more about a.\n    b: second.\nReturns:\n    int: the sum.\nTrailing prose.");
  assert.deepEqual([...parts.keys()], ["Args", "Returns"]);
  assert.deepEqual(documentedArgs(parts.get("Args") ?? []), ["a", "b"]);
});

test("a complete Google docstring whose doctest passes is accepted, fenced or not", async () => {
  const ok = await check(task("docstring"), `Here it is:\n\`\`\`python\n${GOOD}\n\`\`\``);
  assert.deepEqual([ok.passed, ok.score, ok.outcome, ok.hallucination], [true, 1, "passed", []], JSON.stringify(ok.details));
  assert.ok(ok.style !== undefined && ok.style > 0.9);
  const plain = await check(task("docstring"), GOOD);
  assert.equal(plain.outcome, "passed");
});

test("each docstring rule fails on its own with its outcome", async () => {
  const notDoc = await check(task("docstring"), "Clips values. Args: values, low, high.");
  assert.deepEqual([notDoc.passed, notDoc.score, notDoc.outcome], [false, 0, "not_docstring"]);
  const noSummary = await check(task("docstring"), GOOD.replace("Clip each value into the range from low to high.\n", "Clip each value into the range\nfrom low to high.\n"));
  assert.equal(noSummary.outcome, "no_summary");
  const missingArg = await check(task("docstring"), GOOD.replace("    scale: A factor applied after clipping.\n", ""));
  assert.equal(missingArg.outcome, "args_mismatch");
  assert.deepEqual((missingArg.details?.rules as Record<string, { missing: string[] }>)["args"]?.missing, ["scale"]);
  const inventedArg = await check(task("docstring"), GOOD.replace("    low: The lower bound.\n", "    low: The lower bound.\n    limit: An invented one.\n"));
  assert.deepEqual((inventedArg.details?.rules as Record<string, { extra: string[] }>)["args"]?.extra, ["limit"]);
  const noReturns = await check(task("docstring"), GOOD.replace("Returns:\n    list[int]: The clipped values, each times scale.\n", ""));
  assert.equal(noReturns.outcome, "no_returns");
  assert.ok(noReturns.score > 0 && noReturns.score < 1);
  const wrongExample = await check(task("docstring"), GOOD.replace("[2, 5, 10]", "[1, 5, 20]"));
  assert.equal(wrongExample.outcome, "doctest_failed");
  assert.match(JSON.stringify(wrongExample.details), /Expected/);
  const placeholder = await check(task("docstring"), GOOD.replace("The lower bound.", "TODO"));
  assert.deepEqual([placeholder.outcome, placeholder.hallucination], ["placeholder", ["TODO (line 5)"]]);
});

test("a method without parameters or return value needs neither Args: nor Returns:, and Args: there fails", async () => {
  const t = task("docstring", { entry_points: ["Box"], metadata: { function: "Box.reset" } });
  assert.equal((await check(t, '"""Forget the size."""')).outcome, "passed");
  assert.equal((await check(t, '"""Forget the size.\n\nArgs:\n    self: The box.\n"""')).outcome, "args_mismatch");
});

test("the docstring prompt shows the stripped code and the target is the reference docstring", () => {
  const t = task("docstring", { answer: GOOD });
  const prompt = kindPrompt(t);
  assert.ok(prompt.includes(given) && !prompt.includes("Clip each value into [low, high]") && prompt.includes("### Task: Write the docstring of clip"));
  assert.equal(kindTarget(t), `${GOOD}\n`);
});

const EXPLANATION = [
  "Purpose: clip returns the values squeezed into a range, scaled.",
  "Parameters: `values` are the numbers, `low` and `high` the bounds (high defaults to 10),",
  "`scale` multiplies each result; `rest` and `options` are accepted and ignored.",
  "Behaviour: it loops over the values, takes the larger of each value and low, then the",
  "smaller of that and high, multiplies by scale and returns the new list.",
].join("\n");

test("an explanation with the three parts and every parameter passes; markdown headings count", async () => {
  const ok = await check(task("explain"), EXPLANATION);
  assert.deepEqual([ok.passed, ok.score, ok.outcome], [true, 1, "passed"], JSON.stringify(ok.details));
  const markdown = EXPLANATION.replace("Purpose:", "## Purpose\n").replace("Parameters:", "**Parameters**\n").replace("Behaviour:", "- Behavior:");
  assert.equal((await check(task("explain"), markdown)).outcome, "passed");
});

test("examples an explanation states run in the sandbox: right ones pass, wrong ones fail naming the call", async () => {
  const stated = (example: string): string => `${EXPLANATION}\nFor example, ${example}.`;
  const right = await check(task("explain"), stated("`clip([1, 5, 20], 2, 10)` returns `[2, 5, 10]`"));
  assert.deepEqual([right.outcome, right.score, right.details?.examples], ["passed", 1, { checked: 1, wrong: [], status: "passed" }]);
  const wrong = await check(task("explain"), stated("`clip([1, 5, 20], 2, 10)` returns `[1, 5, 10]`"));
  assert.deepEqual([wrong.passed, wrong.outcome, wrong.score], [false, "wrong_example", 4 / 5]);
  assert.match(String((wrong.details?.examples as { wrong: string[] }).wrong[0]), /clip\(\[1, 5, 20\], 2, 10\) returns \[2, 5, 10\], not \[1, 5, 10\]/);
  const raising = await check(task("explain"), stated("`clip(None, 0)` returns `[]`"));
  assert.equal(raising.outcome, "wrong_example");
  // one wrong example among right ones fails the rule
  assert.equal((await check(task("explain"), stated("`clip([3], 0, 2)` gives `[2]`, and `clip([3], 0, 5)` returns `[4]`"))).outcome, "wrong_example");
});

test("examples that cannot be checked are left alone: other functions, non-literal values, prose, no sandbox", async () => {
  const stated = (example: string): string => `${EXPLANATION}\nFor example, ${example}.`;
  for (const example of ["`max(1, 2)` returns `5`", "`clip([1], 0)` returns `clip([1], 0)`", "`clip([1], 0)` returns `the list [1]`", "clip([1], 0) returns [7]"]) {
    const result = await check(task("explain"), stated(example));
    assert.deepEqual([result.outcome, result.score, result.details?.examples], ["passed", 1, undefined], example);
  }
  const unchecked = await checkExplanation(task("explain"), stated("`clip([1], 0)` returns `[5]`"));
  assert.deepEqual([unchecked.outcome, unchecked.details?.examples_unchecked], ["passed", 1]);
});

test("each explain rule fails on its own with its outcome", async () => {
  assert.equal((await check(task("explain"), "")).outcome, "no_answer");
  assert.equal((await check(task("explain"), "Purpose: clips.\nParameters: values low high rest scale options\nBehaviour: clips.")).outcome, "too_short");
  assert.equal((await check(task("explain"), `${EXPLANATION}\n${"and so on ".repeat(100)}`)).outcome, "too_long");
  const noBehaviour = await check(task("explain"), EXPLANATION.replace("Behaviour:", "Then"));
  assert.deepEqual([noBehaviour.outcome, noBehaviour.details?.missing_sections, noBehaviour.score], ["missing_sections", ["Behaviour"], 0.75]);
  const unnamed = await check(task("explain"), EXPLANATION.replace("`scale` multiplies", "the factor multiplies").replace("by scale", "by it"));
  assert.deepEqual([unnamed.outcome, unnamed.details?.unnamed_parameters], ["parameter_missing", ["scale"]]);
  const slot = await check(task("explain"), EXPLANATION.replace("it loops over the values", "[describe the behaviour]"));
  assert.equal(slot.outcome, "placeholder");
  assert.deepEqual(slot.hallucination, ["template slot [describe the behaviour] (line 4)"]);
});
