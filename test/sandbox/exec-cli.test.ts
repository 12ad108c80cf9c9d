import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { packageRoot } from "../../src/util/paths.js";

const CLI = join(packageRoot, "dist", "src", "cli", "main.js");
const dir = mkdtempSync(join(tmpdir(), "testtune-exec-cli-"));
const code = join(dir, "code.py");
const passing = join(dir, "test_pass.py");
const failing = join(dir, "test_fail.py");
writeFileSync(code, "def add(a, b):\n    if a > 0:\n        return a + b\n    return b\n");
writeFileSync(passing, "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n    assert add(0, 2) == 2\n");
writeFileSync(failing, "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 4\n");
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, "exec", ...args], { encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("exec prints a summary with coverage and mutants and exits 0 when the run passed", () => {
  const out = cli("--code", code, "--tests", passing, "--coverage", "--mutants");
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.stdout, /^passed {2}1 tests \(1 passed\), 2 assertions passed/);
  assert.match(out.stdout, /isolation: bubblewrap/);
  assert.match(out.stdout, /coverage: lines 100\.0% \(4\/4\), branches 100\.0% \(2\/2\)/);
  assert.match(out.stdout, /mutants: score \d\.\d\d: \d+ killed/);
});

test("exec --json prints one ExecResult and exits 2 when the run did not pass", () => {
  const out = cli("--code", code, "--tests", failing, "--json");
  assert.equal(out.status, 2, out.stderr);
  const result = JSON.parse(out.stdout) as { status: string; tests: { outcome: string; message: string }[]; isolation: string };
  assert.equal(result.status, "failed");
  assert.equal(result.isolation, "bubblewrap");
  assert.match(result.tests[0]?.message ?? "", /assert 3 == 4/);
});

test("exec --isolation none says so on the run", () => {
  const out = cli("--code", code, "--tests", passing, "--isolation", "none");
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.stdout, /isolation: NONE/);
  assert.match(out.stderr, /WARNING: .*isolation/);
});

test("exec names a missing file and a bad flag value, without a stack trace", () => {
  const missing = cli("--code", join(dir, "nope.py"), "--tests", passing);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /--code \S+nope\.py: file not found/);
  assert.doesNotMatch(missing.stderr, /\n\s+at /);
  const isolation = cli("--code", code, "--tests", passing, "--isolation", "docker");
  assert.equal(isolation.status, 1);
  assert.match(isolation.stderr, /--isolation must be bubblewrap or none/);
});
