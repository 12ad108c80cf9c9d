/**
 * One pipeline at a time per run directory. Two `testtune run` processes on the same
 * directory would train the same stage into the same checkpoints and each write its own
 * manifest over the other's, so work would be lost without a word. The lock is `run.lock` in
 * the run directory, created exclusively, holding the owner's pid, host and start time; it is
 * removed when the pipeline ends (completed, failed or interrupted). A lock left by a process
 * that no longer exists on this host (a killed run) is taken over; any other is refused.
 */
import { hostname } from "node:os";
import { join } from "node:path";
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { TesttuneError } from "../errors.js";

export const LOCK_FILE = "run.lock";

interface LockOwner {
  pid: number;
  host: string;
  started_at: string;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, "utf8")) as Partial<LockOwner>;
    if (typeof owner.pid === "number" && Number.isInteger(owner.pid) && owner.pid > 0 && typeof owner.host === "string" && typeof owner.started_at === "string") return owner as LockOwner;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw error;
  }
  return undefined;
}

function createExclusive(file: string, owner: LockOwner): boolean {
  try {
    writeFileSync(file, `${JSON.stringify(owner)}\n`, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

/**
 * Takes the run directory's lock or throws a TesttuneError saying who holds it. Returns the
 * function that releases it (idempotent; it removes the file only while it is still ours).
 */
export function acquireRunLock(runDir: string, log: (message: string) => void = () => undefined): () => void {
  const file = join(runDir, LOCK_FILE);
  const mine: LockOwner = { pid: process.pid, host: hostname(), started_at: new Date().toISOString() };
  // Two attempts: the second after removing a stale lock (another process may win that race).
  for (let attempt = 0; attempt < 2; attempt++) {
    if (createExclusive(file, mine)) return releaser(file, mine);
    let owner: LockOwner | undefined;
    try {
      owner = readOwner(file);
    } catch {
      continue; // removed between our create and read: try again
    }
    if (owner === undefined) {
      throw new TesttuneError("E_USAGE", `${file} exists but is not a testtune lock file, so it is not clear whether another run uses ${runDir}`, {
        hint: `if no 'testtune run' is writing to ${runDir}, delete ${file} and run the command again`,
      });
    }
    const stale = owner.host === mine.host && !processExists(owner.pid);
    if (!stale) {
      const where = owner.host === mine.host ? `pid ${owner.pid}` : `pid ${owner.pid} on host ${owner.host}`;
      throw new TesttuneError("E_USAGE", `another 'testtune run' (${where}, started ${owner.started_at}) is using ${runDir}`, {
        hint: `wait for it to finish (or stop it: it resumes later), or give this run its own --out; if that process is gone, delete ${file}`,
      });
    }
    log(`testtune: taking over ${file}: its run (pid ${owner.pid}, started ${owner.started_at}) no longer exists`);
    try {
      unlinkSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  throw new TesttuneError("E_USAGE", `could not take ${file}: another run took it at the same moment`, { hint: `run the command again once that run has finished, or give this run its own --out` });
}

function releaser(file: string, mine: LockOwner): () => void {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener("exit", release);
    try {
      const owner = readOwner(file);
      if (owner?.pid === mine.pid && owner.started_at === mine.started_at) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  // process.exit() skips finally blocks: release on the way out too.
  process.on("exit", release);
  return release;
}
