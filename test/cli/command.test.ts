import assert from "node:assert/strict";
import { test } from "node:test";
import { formatHelp, parseArgs, splitList, type Command } from "../../src/cli/command.js";
import { UsageError } from "../../src/errors.js";

const cmd: Command = {
  name: "demo",
  summary: "A demo command.",
  flags: [
    { name: "out", type: "string", description: "where to write", required: true, value: "<dir>" },
    { name: "n", type: "number", description: "how many", default: 4 },
    { name: "json", type: "boolean", description: "print JSON" },
    { name: "stages", type: "list", description: "stage list" },
  ],
};

test("flags parse by type, with defaults and --flag=value", () => {
  const args = parseArgs(cmd, ["--out", "x", "--n=7", "--json", "--stages", "a,b", "--stages", "c", "pos"], "demo");
  assert.deepEqual(args.flags, { out: "x", n: 7, json: true, stages: ["a", "b", "c"] });
  assert.deepEqual(args.positionals, ["pos"]);
  assert.equal(parseArgs(cmd, ["--out", "x"], "demo").flags.n, 4);
  assert.equal(parseArgs(cmd, ["--out", "x", "--no-json"], "demo").flags.json, false);
});

test("a list flag splits at commas outside brackets, braces and quotes", () => {
  assert.deepEqual(splitList("eval.models=[sft,dpo],eval.n=8"), ["eval.models=[sft,dpo]", "eval.n=8"]);
  assert.deepEqual(splitList("a={x: 1, y: [2, 3]},b='c,d',e"), ["a={x: 1, y: [2, 3]}", "b='c,d'", "e"]);
  const args = parseArgs(cmd, ["--out", "x", "--stages", "m=[a,b],n=1"], "demo");
  assert.deepEqual(args.flags.stages, ["m=[a,b]", "n=1"]);
});

test("unknown flags, missing values, bad numbers and missing required flags are usage errors", () => {
  assert.throws(() => parseArgs(cmd, ["--out", "x", "--bogus"], "demo"), (e: unknown) => e instanceof UsageError && /--bogus/.test(e.message));
  assert.throws(() => parseArgs(cmd, ["--out"], "demo"), /needs a value/);
  assert.throws(() => parseArgs(cmd, ["--out", "x", "--n", "many"], "demo"), /must be a number/);
  assert.throws(() => parseArgs(cmd, [], "demo"), /missing required flag --out/);
});

test("help lists every flag with its default", () => {
  const help = formatHelp(cmd, "demo");
  for (const name of ["--out <dir>", "--n <n>", "--json", "--stages"]) assert.ok(help.includes(name), name);
  assert.match(help, /\(default: 4\)/);
  assert.match(help, /\(required\)/);
});
