/** `testtune refine` through the CLI: every kind of bad input is refused before a model or the sandbox starts. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { packageRoot } from "../../src/util/paths.js";

const dir = mkdtempSync(join(tmpdir(), "testtune-refine-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const cli = join(packageRoot, "dist", "src", "cli", "main.js");
const model = join(dir, "model");
mkdirSync(model);
writeFileSync(join(model, "config.json"), "{}");

function refine(...args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [cli, "refine", "--out", join(dir, "out"), ...args], { encoding: "utf8" });
  return { code: r.status, stderr: r.stderr };
}

/** A user mistake: exit 1, a message and a hint, never a stack trace. */
function refused(r: ReturnType<typeof refine>, message: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, message);
  assert.match(r.stderr, /HINT: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

test("negative rounds, a bad chat-template mode and a negative temperature are refused with the flag named", () => {
  refused(refine("--model", model, "--tasks", "t.jsonl", "--rounds", "-1"), /--rounds must be an integer >= 0, got -1/);
  refused(refine("--model", model, "--tasks", "t.jsonl", "--n", "0"), /--n must be an integer >= 1/);
  refused(refine("--model", model, "--tasks", "t.jsonl", "--chat-template", "maybe"), /--chat-template must be auto or none/);
  refused(refine("--model", model, "--tasks", "t.jsonl", "--temperature", "-0.5"), /--temperature must be >= 0/);
});

test("a model that is not a model directory and a tasks file with a bad line are errors naming them", () => {
  refused(refine("--model", join(dir, "nope"), "--tasks", "t.jsonl"), /nope is not a model directory/);
  const tasks = join(dir, "tasks.jsonl");
  writeFileSync(tasks, `${JSON.stringify({ id: "t/1", source: "x", code: "def f():\n    return 1\n" })}\n${JSON.stringify({ id: "t/2", source: "x", code: 7 })}\n`);
  refused(refine("--model", model, "--tasks", tasks), /tasks\.jsonl line 2: field 'code'/);
});
