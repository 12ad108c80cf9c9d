/** `testtune report` through the CLI: an eval directory, a run directory's layout, and bad input. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { packageRoot } from "../../src/util/paths.js";
import { writeEvalDir } from "../report/eval-dir-fixture.js";

const dir = mkdtempSync(join(tmpdir(), "testtune-report-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const cli = join(packageRoot, "dist", "src", "cli", "main.js");

function report(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, "report", ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("an eval directory gets its report, in --out when given", () => {
  const evalDir = join(dir, "evals");
  writeEvalDir(evalDir);
  const r = report(evalDir, "--out", join(dir, "out", "new"));
  assert.equal(r.code, 0, r.stderr);
  const html = join(dir, "out", "new", "report.html");
  assert.equal(r.stdout, `${join(dir, "out", "new", "report.md")}\n${html}\n`);
  assert.match(readFileSync(html, "utf8"), /id="task-data"/);
  assert.match(readFileSync(join(dir, "out", "new", "report.md"), "utf8"), /^# testtune report: evaluation\n/);
});

test("a run directory's report goes next to its eval folder", () => {
  const run = join(dir, "run");
  writeEvalDir(join(run, "eval"));
  const r = report(run);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(run, "report.html")) && existsSync(join(run, "report.md")));
});

test("a directory without results is refused with a hint, never a stack trace", () => {
  const empty = join(dir, "empty");
  mkdirSync(empty);
  for (const r of [report(empty), report()]) {
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /HINT: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  assert.match(report(empty).stderr, /holds no evaluation results/);
});
