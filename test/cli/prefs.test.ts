import assert from "node:assert/strict";
import { test } from "node:test";
import { parseArgs } from "../../src/cli/command.js";
import { prefsCommand } from "../../src/cli/commands/prefs.js";
import { UsageError } from "../../src/errors.js";

// The flags are checked before any task file is read or model loaded, so these paths need not exist.
const base = ["--model", "/nonexistent/model", "--tasks", "/nonexistent/tasks.jsonl", "--out", "/nonexistent/out"];
const run = async (extra: string[]): Promise<unknown> => prefsCommand.run?.(parseArgs(prefsCommand, [...base, ...extra], "prefs"));

test("testtune prefs refuses a valid-vs-valid margin of 0 (ties would be pairs) and a negative pair count, naming the flag", async () => {
  await assert.rejects(run(["--valid-margin", "0"]), (e: unknown) => e instanceof UsageError && /--valid-margin must be in \(0, 1\]/.test(e.message));
  await assert.rejects(run(["--valid-margin", "1.5"]), (e: unknown) => e instanceof UsageError && /--valid-margin/.test(e.message));
  await assert.rejects(run(["--valid-pairs-per-prompt", "-1"]), (e: unknown) => e instanceof UsageError && /--valid-pairs-per-prompt must be a non-negative integer/.test(e.message));
  await assert.rejects(run(["--valid-pairs-per-prompt", "1.5"]), UsageError);
});

test("testtune prefs documents the new flags with the config's defaults", () => {
  const flags = new Map(prefsCommand.flags?.map((f) => [f.name, f]));
  assert.equal(flags.get("valid-pairs-per-prompt")?.default, 0);
  assert.equal(flags.get("valid-margin")?.default, 0.15);
  assert.equal(flags.get("match-checks")?.type, "boolean");
});

test("testtune prefs refuses the mutation reward without mutants, before any model is loaded", async () => {
  await assert.rejects(run(["--reward", "mutation", "--no-mutants"]), (e: unknown) => e instanceof UsageError && /--reward mutation pays only for mutants killed/.test(e.message) && /--mutants/.test(e.hint ?? ""));
});
