/**
 * `npm run bench:rewards`: the reward service (`testtune serve-rewards`, its own process) under
 * many clients at once, against one client measured in the same run.
 *
 *   npm run bench:rewards                                   # 48 clients, 2 sandbox workers, bubblewrap
 *   npm run bench:rewards -- --clients 64 --seconds 30 --small-queue 32
 *   npm run bench:rewards -- --isolation none               # where bubblewrap cannot run
 *
 * - baseline: one client sending batches of `--batch` completions one after the other.
 * - load: `--clients` clients, each sending batches back to back for `--seconds`, on a service
 *   with the default queue (every request fits: FIFO). `--rounds` rounds of the same length, so
 *   memory can be compared between them (a leak grows from one to the next).
 * - overload: the same clients on a second service whose queue holds `--small-queue`
 *   completions: a refusal (503, queue full) is counted, and the client waits the Retry-After
 *   it was given and sends the same batch again.
 * - heap: the service in this process over an instant stand-in for the sandbox, the same
 *   clients for several rounds, the V8 heap measured after a full garbage collection at the end
 *   of each: RSS only says how much V8 has reserved; a leak shows as a heap that keeps growing.
 * Every answer is checked against what was sent: each completion is one of a few files whose
 * outcome and test count are known, so a result given to the wrong request or lost is counted.
 * Latency is per answered request (send to answer, its refused tries and waits included).
 * Memory is the service process's resident set (VmRSS, sampled; VmHWM for the peak); the
 * sandbox's executor processes are not in it (their memory is bounded by the pool's size).
 * Mutants and coverage are off: this measures the service, not the mutation runs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { startRewardService } from "../src/quality/service.js";
import type { ExecResult } from "../src/sandbox/types.js";
import { taskSchema } from "../src/tasks/schema.js";
import { packageRoot } from "../src/util/paths.js";
import { Rng } from "../src/util/rng.js";

const CODE = "def clamp(x, low=0, high=10):\n    if x < low:\n        return low\n    if x > high:\n        return high\n    return x\n";
/** What a client may send, with the outcome and test count the service must answer for it. */
const FILES = [
  { text: "from solution import clamp\n\ndef test_inside():\n    assert clamp(5) == 5\n\ndef test_below():\n    assert clamp(-3) == 0\n\ndef test_above():\n    assert clamp(12) == 10\n", status: "passed", tests: 3 },
  { text: "from solution import clamp\n\ndef test_inside():\n    assert clamp(5) == 5\n\ndef test_wrong():\n    assert clamp(-3) == -3\n", status: "failed", tests: 2 },
  { text: "from solution import clamp\n\ndef test_one():\n    assert clamp(1) == 1\n", status: "passed", tests: 1 },
  { text: "I cannot write tests for this.", status: "syntax_error", tests: 0 },
];

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

function textOption(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}

/** Nearest-rank percentile (q in [0, 1]) of a non-empty list. */
function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

function memoryKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? Number.NaN);
}

interface Round {
  clients: number;
  seconds: number;
  answered: number;
  completions: number;
  refusals: number;
  wrong: number;
  errors: string[];
  latenciesMs: number[];
  peakRssKb: number;
}

async function startService(tasksFile: string, isolation: string, maxQueue: number | undefined): Promise<{ child: ChildProcess; url: string }> {
  const args = [join(packageRoot, "dist", "src", "cli", "main.js"), "serve-rewards", "--tasks", tasksFile, "--port", "0", "--workers", "2", "--isolation", isolation];
  args.push("--reward", "staged", "--no-mutants", "--no-coverage", "--timeout-s", "600");
  if (maxQueue !== undefined) args.push("--max-queue", String(maxQueue));
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "ignore"] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const found = /reward service on (http:\S+)/.exec(output);
      if (found !== null) resolve(found[1] as string);
    });
    child.once("exit", (code) => reject(new Error(`serve-rewards exited with ${code}: ${output}`)));
  });
  return { child, url };
}

/** `clients` clients sending batches until `seconds` have passed; every answer is checked. */
async function round(url: string, pid: number, clients: number, seconds: number, batch: number, seed: number): Promise<Round> {
  const result: Round = { clients, seconds, answered: 0, completions: 0, refusals: 0, wrong: 0, errors: [], latenciesMs: [], peakRssKb: 0 };
  const sampler = setInterval(() => (result.peakRssKb = Math.max(result.peakRssKb, memoryKb(pid, "VmRSS"))), 100);
  const deadline = performance.now() + seconds * 1000;
  const client = async (rng: Rng): Promise<void> => {
    while (performance.now() < deadline) {
      const files = Array.from({ length: batch }, () => rng.pick(FILES));
      const body = JSON.stringify({ task_ids: files.map(() => "bench/clamp"), completions: files.map((f) => f.text) });
      const sent = performance.now();
      for (;;) {
        const res = await fetch(`${url}/v1/score`, { method: "POST", headers: { "content-type": "application/json" }, body });
        if (res.status === 503) {
          result.refusals += 1;
          await res.arrayBuffer();
          await new Promise((resolve) => setTimeout(resolve, Number(res.headers.get("retry-after") ?? "1") * 1000));
          continue;
        }
        const json = (await res.json()) as { details?: { status: string; tests: { total: number } }[]; error?: string };
        if (res.status !== 200 || json.details === undefined) {
          result.errors.push(`${res.status} ${json.error ?? ""}`);
          break;
        }
        result.latenciesMs.push(performance.now() - sent);
        result.answered += 1;
        result.completions += files.length;
        json.details.forEach((d, i) => {
          if (d.status !== files[i]?.status || d.tests.total !== files[i]?.tests) result.wrong += 1;
        });
        if (json.details.length !== files.length) result.wrong += Math.abs(files.length - json.details.length);
        break;
      }
    }
  };
  const rng = new Rng(seed);
  await Promise.all(Array.from({ length: clients }, (_, i) => client(rng.fork(`client-${i}`))));
  clearInterval(sampler);
  return result;
}

/** The V8 heap in use after full collections, MiB, once per round of `clients` clients on an in-process service. */
async function heapRounds(clients: number, rounds: number, batch: number): Promise<number[]> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void; // a collection on demand, without starting node with --expose-gc
  const instant = async (): Promise<ExecResult> => ({ status: "passed", tests: [{ nodeid: "t::test_x", outcome: "passed", duration_s: 0, message: "" }], assertions: 1, stdout: "", stderr: "", duration_s: 0, isolation: "none", detail: "" });
  const task = taskSchema.parse({ id: "bench/clamp", source: "bench", code: CODE, entry_points: ["clamp"] });
  const service = await startRewardService({ tasks: new Map([[task.id, task]]), executor: { exec: instant }, port: 0, reward: "staged", concurrency: 4, maxQueue: 16 });
  const body = JSON.stringify({ task_ids: Array(batch).fill(task.id), completions: Array(batch).fill(FILES[0]?.text) });
  const heaps: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      await Promise.all(
        Array.from({ length: clients }, async () => {
          for (let i = 0; i < 10; i++) await (await fetch(`${service.url}/v1/score`, { method: "POST", body })).arrayBuffer();
        }),
      );
      gc();
      gc();
      heaps.push(process.memoryUsage().heapUsed / 1048576);
    }
  } finally {
    await service.close();
  }
  return heaps;
}

function table(rows: [string, Round][]): string {
  const width = [34, 9, 8, 12, 8, 6, 8, 8, 7, 13];
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(width[i] as number) : c.padStart(width[i] as number))).join("  ");
  const out = [line(["", "answered", "req/s", "completions", "refused", "wrong", "p50 ms", "p95 ms", "errors", "peak RSS MiB"])];
  for (const [name, r] of rows) {
    const p = (q: number): string => (r.latenciesMs.length === 0 ? "-" : percentile(r.latenciesMs, q).toFixed(0));
    out.push(line([name, String(r.answered), (r.answered / r.seconds).toFixed(1), String(r.completions), String(r.refusals), String(r.wrong), p(0.5), p(0.95), String(r.errors.length), (r.peakRssKb / 1024).toFixed(1)]));
  }
  return out.join("\n");
}

async function main(): Promise<void> {
  const clients = option("clients", 48);
  const seconds = option("seconds", 20);
  const rounds = option("rounds", 3);
  const batch = option("batch", 4);
  const smallQueue = option("small-queue", 16);
  const isolation = textOption("isolation", "bubblewrap");
  const dir = mkdtempSync(join(tmpdir(), "testtune-bench-rewards-"));
  const tasksFile = join(dir, "tasks.jsonl");
  writeFileSync(tasksFile, `${JSON.stringify({ id: "bench/clamp", source: "bench", code: CODE, entry_points: ["clamp"] })}\n`);
  const rows: [string, Round][] = [];
  const rss: string[] = [];
  let seed = 1;
  const withService = async (maxQueue: number | undefined, body: (url: string, pid: number) => Promise<void>): Promise<void> => {
    const { child, url } = await startService(tasksFile, isolation, maxQueue);
    try {
      await round(url, child.pid as number, 4, 3, batch, seed++); // warm-up: executors forked, code paths compiled
      await body(url, child.pid as number);
    } finally {
      child.kill("SIGTERM");
    }
  };
  try {
    await withService(undefined, async (url, pid) => {
      rss.push(`${(memoryKb(pid, "VmRSS") / 1024).toFixed(1)} after warm-up`);
      rows.push(["baseline (1 client)", await round(url, pid, 1, seconds, batch, seed++)]);
      for (let i = 1; i <= rounds; i++) {
        rows.push([`load ${i} (${clients} clients)`, await round(url, pid, clients, seconds, batch, seed++)]);
        rss.push(`${(memoryKb(pid, "VmRSS") / 1024).toFixed(1)} after load ${i}`);
      }
      rss.push(`peak (VmHWM) ${(memoryKb(pid, "VmHWM") / 1024).toFixed(1)}`);
    });
    await withService(smallQueue, async (url, pid) => {
      rows.push([`overload (${clients} clients, queue ${smallQueue})`, await round(url, pid, clients, seconds, batch, seed++)]);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${table(rows)}\n\n`);
  process.stdout.write(`batches of ${batch} completions, ${seconds} s per round, 2 sandbox workers (${isolation}), reward staged without mutants or coverage; latency includes refused tries and their waits\n`);
  process.stdout.write(`service RSS, MiB: ${rss.join(", ")}\n`);
  const heaps = await heapRounds(clients, 6, batch);
  process.stdout.write(`heap after GC, in-process service over an instant executor, ${clients} clients x 10 requests per round (some refused, queue 16), MiB: ${heaps.map((h) => h.toFixed(1)).join(", ")}\n`);
  const [, baseline] = rows[0] as [string, Round];
  const [, load] = rows[1] as [string, Round];
  process.stdout.write(`load 1 vs baseline: ${(load.answered / baseline.answered).toFixed(2)}x requests/s, p50 latency ${(percentile(load.latenciesMs, 0.5) / percentile(baseline.latenciesMs, 0.5)).toFixed(1)}x\n`);
  const errors = rows.flatMap(([, r]) => r.errors);
  const wrong = rows.reduce((sum, [, r]) => sum + r.wrong, 0);
  if (errors.length > 0) process.stdout.write(`errors: ${[...new Set(errors)].slice(0, 5).join("; ")}\n`);
  process.stdout.write(`every request answered or refused, none lost or misrouted: ${errors.length === 0 && wrong === 0 ? "yes" : "NO"}\n`);
  if (errors.length > 0 || wrong > 0) process.exitCode = 1;
}

await main();
