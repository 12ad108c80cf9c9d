/**
 * The mutants a task's test files are scored against, fixed once per task:
 *
 * 1. every mutant of the reference code (python/testtune_executor/mutants.py, in one Python
 *    process for a batch of tasks: it only parses);
 * 2. minus the likely-equivalent ones: the sandbox runs the equivalence probe
 *    (python/testtune_executor/equivalence_probe.py) against every mutant, and a mutant that
 *    gives the reference's outcome on every generated input survives it and is left out (so
 *    is a mutant that could not be compiled). If the probe does not pass on the reference
 *    (not deterministic, no input could be made), nothing is left out.
 *
 * Evaluation scores a file against the whole set; training (the reward service, preference
 * pairs) passes a seed and a size to draw a seeded sample from it per step, so that a policy
 * cannot fit one fixed set (`sampleMutants`). Sets are cached in the process by task content.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pythonEnv } from "../engine/python-env.js";
import { SandboxError } from "../errors.js";
import type { ExecRequest, MutantSource } from "../sandbox/types.js";
import type { Task } from "../tasks/schema.js";
import { sha256 } from "../util/hash.js";
import { pythonDir } from "../util/paths.js";
import { Rng } from "../util/rng.js";
import { run } from "../util/subprocess.js";
import type { Executor } from "./score.js";

export interface MutantSet {
  /** The mutants scores count, in id order. */
  mutants: MutantSource[];
  /** Mutants generated from the reference code. */
  generated: number;
  /** Left out: they behaved as the reference on every probe input (or did not compile). */
  equivalent: number;
  /** Whether the probe ran (false: not deterministic on its inputs, no inputs, or too big to send). */
  probed: boolean;
}

/** Above this many characters of mutant sources, a task is scored on the executor's own mutants. */
const MAX_MUTANT_CHARS = 8_000_000;
const PROBE_SEED = 0;
const TIMEOUT_MS = 120_000;

let probeSource: string | undefined;
function probeFile(): string {
  probeSource ??= readFileSync(join(pythonDir, "testtune_executor", "equivalence_probe.py"), "utf8");
  return probeSource;
}

interface CacheEntry {
  mutants: MutantSource[] | null;
  /** Probed on first use: only tasks with a passing file pay for it. */
  set?: Promise<MutantSet | null>;
}
/** By task content (a set does not depend on who runs the probe); the oldest go beyond the cap. */
const cache = new Map<string, CacheEntry>();
const CACHE_TASKS = 20_000;

function taskKey(task: Task): string {
  return sha256(JSON.stringify([task.module, task.code, task.entry_points, task.tests ?? ""]));
}

/** All mutants of each source, in one Python process; null for a source that does not parse. */
export async function generateMutants(sources: string[]): Promise<(MutantSource[] | null)[]> {
  if (sources.length === 0) return [];
  const { python, env } = await pythonEnv({ quiet: true });
  const result = await run(python, ["-m", "testtune_executor.mutants"], { env, input: JSON.stringify({ sources }), timeoutMs: TIMEOUT_MS, maxOutput: 1_000_000_000 });
  const fail = (why: string): SandboxError => new SandboxError(`generating mutants failed: ${why}`, { hint: "run 'testtune doctor' to check the Python environment" });
  if (!result.ok) throw fail(result.signal !== null ? `killed by ${result.signal}` : result.stderr.trim().slice(-500) || `exit code ${String(result.exitCode)}`);
  let mutants: unknown;
  try {
    mutants = (JSON.parse(result.stdout) as { mutants?: unknown }).mutants;
  } catch (error) {
    throw fail(`unreadable answer (${(error as Error).message})`);
  }
  if (!Array.isArray(mutants) || mutants.length !== sources.length) throw fail("the answer does not have one list per source");
  return mutants as (MutantSource[] | null)[];
}

/** The sandbox request that runs the equivalence probe against every mutant of the task. */
export function probeRequest(task: Task, mutants: MutantSource[], timeoutS?: number): ExecRequest {
  const about = { module: task.module, entry_points: task.entry_points, tests: task.tests ?? "", seed: PROBE_SEED };
  const request: ExecRequest = {
    code: task.code,
    tests: probeFile(),
    module: task.module,
    mutants: true,
    mutant_list: mutants,
    files: { "_probe_reference.py": task.code, "_probe_task.json": JSON.stringify(about) },
  };
  if (timeoutS !== undefined) request.timeout_s = timeoutS;
  return request;
}

async function buildSet(task: Task, mutants: MutantSource[] | null, executor: Executor, timeoutS?: number): Promise<MutantSet | null> {
  if (mutants === null) return null; // the code does not parse: the executor reports it
  const chars = mutants.reduce((n, m) => n + m.source.length, 0);
  if (mutants.length === 0 || chars > MAX_MUTANT_CHARS) return null;
  const result = await executor.exec(probeRequest(task, mutants, timeoutS));
  if (result.status !== "passed" || result.mutation === undefined) return { mutants, generated: mutants.length, equivalent: 0, probed: false };
  const kept = new Set(result.mutation.mutants.filter((m) => m.status === "killed" || m.status === "timeout").map((m) => m.id));
  const set = mutants.filter((m) => kept.has(m.id));
  return { mutants: set, generated: mutants.length, equivalent: mutants.length - set.length, probed: true };
}

/**
 * Starts fixing the mutant sets of these tasks (one generation process for all that are not
 * cached yet) and returns a lookup; a set is probed in the sandbox only when first awaited.
 * null: score with the executor's own mutants (code too large to send its mutants).
 */
export async function mutantSets(tasks: Task[], executor: Executor, timeoutS?: number): Promise<(task: Task) => Promise<MutantSet | null>> {
  const missing = [...new Map(tasks.filter((t) => !cache.has(taskKey(t))).map((t) => [taskKey(t), t])).values()];
  const generated = await generateMutants(missing.map((t) => t.code));
  for (const [i, task] of missing.entries()) cache.set(taskKey(task), { mutants: generated[i] ?? null });
  for (const key of cache.keys()) {
    if (cache.size <= CACHE_TASKS) break;
    cache.delete(key);
  }
  return async (task) => {
    const entry = cache.get(taskKey(task));
    if (entry === undefined) return null;
    entry.set ??= buildSet(task, entry.mutants, executor, timeoutS);
    return entry.set;
  };
}

/**
 * At most `size` mutants of the set, drawn with a seed: round-robin over the operator families
 * (as mutate.py's own sampling), each family in a seeded order; the result is in id order.
 */
export function sampleMutants(mutants: MutantSource[], size: number, seed: number | string): MutantSource[] {
  if (mutants.length <= size) return mutants;
  const rng = new Rng(seed);
  const families = new Map<string, MutantSource[]>();
  for (const m of mutants) {
    const family = m.operator.split(":")[0] as string;
    families.set(family, [...(families.get(family) ?? []), m]);
  }
  const queues = [...families.keys()].sort().map((f) => rng.shuffle(families.get(f) as MutantSource[]));
  const chosen: MutantSource[] = [];
  for (let i = 0; chosen.length < size; i++) {
    for (const q of queues) if (i < q.length && chosen.length < size) chosen.push(q[i] as MutantSource);
  }
  return chosen.sort((a, b) => a.id - b.id);
}
