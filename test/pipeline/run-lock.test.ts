import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { RunConfig } from "../../src/config/run-config.js";
import { pythonEnv } from "../../src/engine/python-env.js";
import { TesttuneError } from "../../src/errors.js";
import { runPipeline } from "../../src/pipeline/runner.js";
import { acquireRunLock, LOCK_FILE } from "../../src/pipeline/run-lock.js";

function runDir(): string {
  return mkdtempSync(join(tmpdir(), "testtune-lock-"));
}

function writeLock(dir: string, owner: unknown): void {
  writeFileSync(join(dir, LOCK_FILE), typeof owner === "string" ? owner : JSON.stringify(owner));
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  assert.ok(child.pid !== undefined && child.pid > 0);
  return child.pid;
}

function refusal(pattern: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof TesttuneError, `expected a TesttuneError, got ${String(error)}`);
    assert.equal(error.code, "E_USAGE");
    assert.match(error.message, pattern);
    assert.ok(error.hint !== undefined && error.hint.length > 0);
    return true;
  };
}

test("the lock names its owner, refuses a second taker while held, and is gone once released", () => {
  const dir = runDir();
  const release = acquireRunLock(dir);
  const owner = JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")) as { pid: number; host: string };
  assert.equal(owner.pid, process.pid);
  assert.equal(owner.host, hostname());
  assert.throws(() => acquireRunLock(dir), refusal(new RegExp(`another 'testtune run' \\(pid ${process.pid}, started .*\\) is using ${dir}`)));
  release();
  assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  release(); // a second release is harmless
  acquireRunLock(dir)();
});

test("a lock left by a process that no longer exists on this host is taken over, and says so", () => {
  const dir = runDir();
  const pid = deadPid();
  writeLock(dir, { pid, host: hostname(), started_at: "2026-01-01T00:00:00.000Z" });
  const messages: string[] = [];
  const release = acquireRunLock(dir, (m) => messages.push(m));
  assert.equal((JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")) as { pid: number }).pid, process.pid);
  assert.equal(messages.length, 1);
  assert.match(messages[0] as string, new RegExp(`taking over .*run\\.lock: its run \\(pid ${pid}, started 2026-01-01`));
  release();
});

test("a lock held on another host, or a file that is not a lock, is refused rather than guessed at", () => {
  const dir = runDir();
  writeLock(dir, { pid: deadPid(), host: `${hostname()}-elsewhere`, started_at: "2026-01-01T00:00:00.000Z" });
  assert.throws(() => acquireRunLock(dir), refusal(/on host .*-elsewhere/));
  writeLock(dir, "not json at all");
  assert.throws(() => acquireRunLock(dir), refusal(/run\.lock exists but is not a testtune lock file/));
  writeLock(dir, { pid: "12", host: hostname() });
  assert.throws(() => acquireRunLock(dir), refusal(/not a testtune lock file/));
});

test("releasing leaves alone a lock that is no longer ours", () => {
  const dir = runDir();
  const release = acquireRunLock(dir);
  const other = { pid: process.pid, host: hostname(), started_at: "2030-01-01T00:00:00.000Z" };
  writeLock(dir, other);
  release();
  assert.deepEqual(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")), other);
});

test("runPipeline refuses a directory another run holds, and releases its own lock when a stage fails", async () => {
  const env = await pythonEnv({ quiet: true });
  const config = { name: "lock-test", seed: 1, stages: ["data"], model: {} } as unknown as RunConfig;
  const dir = runDir();
  writeLock(dir, { pid: process.pid, host: hostname(), started_at: "2030-01-01T00:00:00.000Z" });
  const failing = async (): Promise<Record<string, unknown>> => {
    throw new Error("stage failed on purpose");
  };
  await assert.rejects(runPipeline({ runDir: dir, config, env, stages: { data: failing }, quiet: true, log: () => undefined }), refusal(/is using/));
  assert.equal(existsSync(join(dir, "manifest.json")), false, "nothing of the refused run was written");

  const free = runDir();
  await assert.rejects(runPipeline({ runDir: free, config, env, stages: { data: failing }, quiet: true, log: () => undefined }), /stage failed on purpose/);
  assert.equal(existsSync(join(free, LOCK_FILE)), false);
  assert.equal(existsSync(join(free, "manifest.json")), true);
});
