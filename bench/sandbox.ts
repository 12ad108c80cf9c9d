/**
 * `npm run bench:sandbox`: how fast the sandbox runs test files, against the naive way
 * measured in the same run.
 *
 *   npm run bench:sandbox                         # 2 executors, bubblewrap
 *   npm run bench:sandbox -- --workers 3          # another executor count
 *   npm run bench:sandbox -- --isolation none     # where bubblewrap cannot run
 *   npm run bench:sandbox -- --runs 600
 *   npm run bench:sandbox -- --humaneval HumanEval.jsonl.gz   # default: ../shared/datasets
 *
 * - sandbox: executions/s of a 3-test file on a pool of 2 executors (`--workers`; isolation on), after
 *   start-up, with every request submitted at once.
 * - baseline: one `python -m pytest` subprocess per execution (fresh interpreter, no
 *   isolation), as many at once as the machine has cores.
 * - HumanEval: executions/s of the 164 reference test files (canonical solutions), all queued.
 * - mutants: wall time of one request that runs the tests against 10 mutants of a small
 *   function (the run on the original included), on an idle pool; median of several.
 * Targets: >= 200 executions/s on 2 cores, >= 10x the baseline, 10 mutants <= 0.2 s.
 *
 * On a shared machine the rates depend on what else runs, so the table also gives the CPU time
 * each execution cost (this process and every process under it, reaped ones included) and the
 * rate that CPU cost allows on 2 otherwise idle cores; that CPU time is also split by where it
 * goes: the forked runs (user and kernel), the executors themselves, this Node process, and the
 * rest (bubblewrap), with the page faults of the runs and the executors (a count that does not
 * depend on load at all). CPU time depends little on what else the machine runs, exec/s does.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pythonEnv } from "../src/engine/python-env.js";
import { SandboxPool } from "../src/sandbox/pool.js";
import { humanevalSource } from "../src/tasks/sources/humaneval.js";
import type { ExecRequest, Isolation } from "../src/sandbox/types.js";
import { referenceDatasetsDir } from "../src/util/paths.js";
import { run } from "../src/util/subprocess.js";

const CODE = `def clamp(x, low=0, high=10):
    if x < low:
        return low + 0
    if x > high:
        return high * 1
    return x
`;
const TESTS = `from solution import clamp

def test_inside():
    assert clamp(5) == 5

def test_below():
    assert clamp(-3, 0, 10) == 0

def test_above():
    assert clamp(12, 1, 11) == 11
`;

const CLOCK_TICKS = 100; // USER_HZ: the unit of /proc/<pid>/stat times on Linux

interface ProcTimes {
  comm: string;
  parent: number;
  /** Own user and system time, seconds. */
  user: number;
  sys: number;
  /** User and system time of the children it has reaped, seconds. */
  childUser: number;
  childSys: number;
  /** Minor page faults, own and of reaped children (mostly copy-on-write after a fork). */
  faults: number;
  childFaults: number;
}

function procTimes(pid: number): ProcTimes | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = (i: number): number => Number(fields[i]) / CLOCK_TICKS;
    return { comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), parent: Number(fields[1]), user: ticks(11), sys: ticks(12), childUser: ticks(13), childSys: ticks(14), faults: Number(fields[7]), childFaults: Number(fields[8]) };
  } catch {
    return undefined;
  }
}

/** CPU seconds so far by where they go (`total` is their sum), and the page faults behind much of it. */
interface CpuParts {
  /** This process (the pool, the benchmark). */
  node: number;
  /** The executors' own work (protocol, files, forking, supervising, judging). */
  executor: number;
  /** The forked runs, user and kernel time: reaped by their executor. */
  runUser: number;
  runSys: number;
  /** Everything else under this process: bubblewrap, runs still alive, baseline subprocesses. */
  other: number;
  total: number;
  /** Minor page faults of the runs and of the executors (counts, not seconds; not in `total`). */
  runFaults: number;
  executorFaults: number;
}

/**
 * CPU time used so far by this process and all its descendants (live ones, and the ones they
 * reaped), split by where it goes. An executor is a Python process whose parent is not one.
 */
function cpuParts(): CpuParts {
  const procs = new Map<number, ProcTimes>();
  for (const name of readdirSync("/proc")) if (/^\d+$/.test(name)) {
    const times = procTimes(Number(name));
    if (times !== undefined) procs.set(Number(name), times);
  }
  const parts: CpuParts = { node: 0, executor: 0, runUser: 0, runSys: 0, other: 0, total: 0, runFaults: 0, executorFaults: 0 };
  const isPython = (p: ProcTimes | undefined): boolean => p !== undefined && p.comm.startsWith("python");
  for (const [pid, t] of procs) {
    if (pid === process.pid) {
      parts.node += t.user + t.sys;
      parts.other += t.childUser + t.childSys;
      continue;
    }
    let under = false;
    for (let p: number | undefined = t.parent; p !== undefined && p > 1; p = procs.get(p)?.parent) {
      if (p === process.pid) under = true;
    }
    if (!under) continue;
    if (isPython(t) && !isPython(procs.get(t.parent))) {
      parts.executor += t.user + t.sys;
      parts.runUser += t.childUser;
      parts.runSys += t.childSys;
      parts.executorFaults += t.faults;
      parts.runFaults += t.childFaults;
    } else {
      parts.other += t.user + t.sys + t.childUser + t.childSys;
    }
  }
  parts.total = parts.node + parts.executor + parts.runUser + parts.runSys + parts.other;
  return parts;
}

interface Rate {
  perSecond: number;
  /** CPU ms per execution, by where it goes (`total`: all of it). */
  cpuMs: CpuParts;
}

async function measured(runs: number, body: () => Promise<void>): Promise<Rate> {
  const before = cpuParts();
  const started = performance.now();
  await body();
  const seconds = (performance.now() - started) / 1000;
  const after = cpuParts();
  const perRun = Object.fromEntries(Object.keys(before).map((k) => {
    const scale = k.endsWith("Faults") ? 1 : 1000; // seconds to ms; fault counts stay counts
    return [k, ((after[k as keyof CpuParts] - before[k as keyof CpuParts]) * scale) / runs];
  })) as unknown as CpuParts;
  return { perSecond: runs / seconds, cpuMs: perRun };
}

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function sandboxRate(pool: SandboxPool, runs: number): Promise<Rate> {
  const request: ExecRequest = { code: CODE, tests: TESTS };
  await Promise.all(Array.from({ length: pool.workers * 4 }, () => pool.exec(request)));
  return measured(runs, async () => {
    const results = await Promise.all(Array.from({ length: runs }, () => pool.exec(request)));
    const notPassed = results.filter((r) => r.status !== "passed");
    if (notPassed.length > 0) throw new Error(`${notPassed.length} runs did not pass: ${notPassed[0]?.detail}`);
  });
}

/** One `python -m pytest` per execution in its own directory, `parallel` at a time. */
async function baselineRate(runs: number, parallel: number): Promise<Rate> {
  const env = await pythonEnv({ quiet: true });
  const root = mkdtempSync(join(tmpdir(), "testtune-bench-"));
  let next = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (next < runs) {
      const dir = join(root, String(next++));
      mkdirSync(dir);
      writeFileSync(join(dir, "solution.py"), CODE);
      writeFileSync(join(dir, "test_solution.py"), TESTS);
      const result = await run(env.python, ["-m", "pytest", "-q", "-p", "no:cacheprovider", dir], { cwd: dir, env: { ...env.env, PYTHONDONTWRITEBYTECODE: "1" }, timeoutMs: 120_000 });
      if (!result.ok) failures += 1;
    }
  };
  const rate = await measured(runs, async () => {
    await Promise.all(Array.from({ length: parallel }, worker));
  });
  rmSync(root, { recursive: true, force: true });
  if (failures > 0) throw new Error(`${failures} baseline runs failed`);
  return rate;
}

async function mutantSeconds(pool: SandboxPool, repeats: number): Promise<{ seconds: number; mutants: number }> {
  const request: ExecRequest = { code: CODE, tests: TESTS, mutants: true, max_mutants: 10 };
  const times: number[] = [];
  let mutants = 0;
  for (let i = 0; i < repeats + 1; i++) {
    const started = performance.now();
    const result = await pool.exec(request);
    if (i > 0) times.push((performance.now() - started) / 1000); // the first one also generates the mutants
    mutants = result.mutation?.total ?? 0;
    if (result.status !== "passed") throw new Error(`the mutant request did not pass: ${result.detail}`);
  }
  return { seconds: median(times), mutants };
}

/** Executions/s of HumanEval's 164 reference test files (canonical solutions), all queued at once. */
async function humanevalRate(pool: SandboxPool, file: string): Promise<{ rate: Rate; tasks: number } | undefined> {
  if (!existsSync(file)) return undefined;
  const { tasks } = await humanevalSource.load({ input: file, seed: 1234, evalFraction: 0.1, log: () => undefined });
  const requests: ExecRequest[] = tasks.map((t) => ({ code: t.code, tests: t.tests ?? "", module: t.module }));
  const rate = await measured(requests.length, async () => {
    const results = await Promise.all(requests.map((r) => pool.exec(r)));
    const notPassed = results.filter((r) => r.status !== "passed");
    if (notPassed.length > 0) throw new Error(`${notPassed.length} HumanEval reference files did not pass: ${notPassed[0]?.detail}`);
  });
  return { rate, tasks: requests.length };
}

async function main(): Promise<void> {
  const isolation = option("isolation", "bubblewrap") as Isolation;
  const runs = Number(option("runs", "400"));
  const baselineRuns = Number(option("baseline-runs", "40"));
  const humanevalFile = option("humaneval", join(referenceDatasetsDir(), "HumanEval.jsonl.gz"));
  const cores = availableParallelism();
  const startedAt = performance.now();
  const workers = Number(option("workers", "2"));
  const pool = await SandboxPool.start({ workers, isolation });
  const startup = (performance.now() - startedAt) / 1000;
  try {
    const sandbox = await sandboxRate(pool, runs);
    const humaneval = await humanevalRate(pool, humanevalFile);
    const mutants = await mutantSeconds(pool, 5);
    const baseline = await baselineRate(baselineRuns, cores);
    const idle = (rate: Rate): number => (2 * 1000) / rate.cpuMs.total;
    const row = (name: string, n: number, rate: Rate): string[] => [name, `${n}`, rate.perSecond.toFixed(1), `${(rate.perSecond / baseline.perSecond).toFixed(1)}x`, rate.cpuMs.total.toFixed(2), idle(rate).toFixed(rate.perSecond < 20 ? 1 : 0)];
    const rows = [row(`sandbox (${workers} executors, ${isolation})`, runs, sandbox), row(`baseline (python -m pytest, ${cores} at once)`, baselineRuns, baseline)];
    const width = [46, 6, 9, 7, 12, 20];
    const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(width[i] as number) : c.padStart(width[i] as number))).join("  ");
    process.stdout.write(`${line(["3-test file", "runs", "exec/s", "ratio", "CPU ms/exec", "exec/s, 2 idle cores"])}\n${rows.map(line).join("\n")}\n\n`);
    const split = (rate: Rate): string => {
      const c = rate.cpuMs;
      return `runs ${(c.runUser + c.runSys).toFixed(2)} (user ${c.runUser.toFixed(2)}, kernel ${c.runSys.toFixed(2)}), executor ${c.executor.toFixed(2)}, node ${c.node.toFixed(2)}, other ${c.other.toFixed(2)}; page faults per execution: runs ${c.runFaults.toFixed(0)}, executor ${c.executorFaults.toFixed(0)}`;
    };
    process.stdout.write(`sandbox CPU ms per execution by where it goes: ${split(sandbox)}\n`);
    if (humaneval === undefined) process.stdout.write(`HumanEval reference tests: skipped (${humanevalFile} not found; pass --humaneval <HumanEval.jsonl.gz>)\n`);
    else process.stdout.write(`HumanEval reference tests (${humaneval.tasks} files, canonical solutions): ${humaneval.rate.perSecond.toFixed(1)} exec/s, CPU ms/exec ${humaneval.rate.cpuMs.total.toFixed(2)} (${split(humaneval.rate)}), ${idle(humaneval.rate).toFixed(0)} exec/s on 2 idle cores\n`);
    process.stdout.write(`pool start-up (${workers} executors, warm-up included): ${startup.toFixed(2)} s\n`);
    process.stdout.write(`one request with ${mutants.mutants} mutants (plus the original run), median of 5: ${mutants.seconds.toFixed(3)} s\n`);
    const met = (ok: boolean): string => (ok ? "met" : "MISSED");
    process.stdout.write(`targets: >= 200 exec/s ${met(sandbox.perSecond >= 200)} (by CPU cost on 2 idle cores: ${met(idle(sandbox) >= 200)}); >= 10x baseline ${met(sandbox.perSecond / baseline.perSecond >= 10)}; 10 mutants <= 0.2 s ${met(mutants.seconds <= 0.2)}\n`);
  } finally {
    await pool.close();
  }
}

await main();
