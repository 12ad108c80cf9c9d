/**
 * SandboxPool: a fixed number of executor processes (default one per core) serving a FIFO
 * queue of ExecRequests.
 *
 *   const pool = await SandboxPool.start({ workers: 2 });
 *   const result = await pool.exec({ code, tests, mutants: true });
 *   await pool.close();
 *
 * An executor that dies is replaced; the job it was running is retried once on the new one,
 * and reported `crashed` if it kills that one too (it is never reported as passing). With
 * isolation "bubblewrap" (the default) the pool refuses to start where bubblewrap cannot run;
 * "none" must be asked for, and then every result says `isolation: "none"`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, SandboxError } from "../errors.js";
import { executorCommand } from "./command.js";
import { Executor, ExecutorDied, type ExecutorCommand } from "./executor.js";
import { jobLine, type MutantShard, type RunResult } from "./protocol.js";
import { validatePoolOptions, validateRequest, type PoolOptions, type PoolSettings } from "./request.js";
import { mergeShards } from "./shards.js";
import type { ExecRequest, ExecResult, Isolation } from "./types.js";

export type { PoolOptions } from "./request.js";

const MAX_START_FAILURES = 3;

interface Task {
  request: ExecRequest;
  shard?: MutantShard;
  attempts: number;
  resolve: (result: ExecResult) => void;
  reject: (error: Error) => void;
}

/** An upper bound on how long the executor may take for one request before it is presumed hung. */
function watchdogMs(request: ExecRequest, timeoutS: number): number {
  const mutants = request.mutants === true ? (request.mutant_list?.length ?? request.max_mutants ?? 300) : 0;
  const runs = 1 + (request.coverage === true ? 1 : 0) + mutants;
  return ((timeoutS + 5) * runs + 30) * 1000;
}

export class SandboxPool {
  private readonly slots: (Executor | undefined)[];
  private readonly queue: Task[] = [];
  private readonly restarting = new Set<number>();
  private started: number;
  private startFailures = 0;
  private broken: Error | undefined;
  private closed = false;

  private constructor(
    private readonly settings: PoolSettings,
    private readonly command: (n: number) => ExecutorCommand,
    private readonly workRoot: string | undefined,
    executors: Executor[],
  ) {
    this.slots = executors;
    this.started = executors.length;
  }

  /** Starts every executor (they import and warm up pytest in parallel) and resolves when all are ready. */
  static async start(options: PoolOptions = {}): Promise<SandboxPool> {
    const settings = validatePoolOptions(options);
    const workRoot = settings.isolation === "none" ? mkdtempSync(join(tmpdir(), "testtune-sandbox-")) : undefined;
    const removeWorkRoot = (): void => {
      if (workRoot !== undefined) rmSync(workRoot, { recursive: true, force: true });
    };
    let command: (n: number) => ExecutorCommand;
    try {
      command = await executorCommand(settings, workRoot);
    } catch (error) {
      removeWorkRoot();
      throw error;
    }
    if (settings.isolation === "none") {
      process.stderr.write("testtune: WARNING: sandbox isolation is 'none': generated tests run with your own user's access to files, processes and network\n");
    }
    const started = await Promise.allSettled(Array.from({ length: settings.workers }, (_, n) => Executor.start(command(n), settings.startupTimeoutS * 1000)));
    const executors = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failure = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure !== undefined) {
      await Promise.all(executors.map((e) => e.close()));
      removeWorkRoot();
      throw failure.reason;
    }
    return new SandboxPool(settings, command, workRoot, executors);
  }

  get isolation(): Isolation {
    return this.settings.isolation;
  }

  get workers(): number {
    return this.slots.length;
  }

  /** Runs one request; resolves with its result (every outcome, sandbox_error included). */
  exec(request: ExecRequest): Promise<ExecResult> {
    let valid: ExecRequest;
    try {
      valid = validateRequest(request);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return valid.mutants === true && this.slots.length > 1 ? this.execSpread(valid) : this.enqueue(valid);
  }

  private enqueue(request: ExecRequest, shard?: MutantShard): Promise<ExecResult> {
    if (this.closed) return Promise.reject(new SandboxError("the sandbox pool is closed"));
    if (this.broken !== undefined) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.queue.push({ request, ...(shard === undefined ? {} : { shard }), attempts: 0, resolve, reject });
      this.pump();
    });
  }

  /**
   * A request with mutants: the run that decides its status first, then, if it passed, its
   * mutants spread over the executors that are idle at that moment (all of them on one when
   * others are queued), so one request is scored about as fast as the pool allows.
   */
  private async execSpread(request: ExecRequest): Promise<ExecResult> {
    const main = await this.enqueue({ ...request, mutants: false });
    if (main.status !== "passed") return main;
    const idle = this.slots.filter((e) => e !== undefined && e.alive && !e.busy).length;
    const count = this.queue.length === 0 ? Math.max(1, idle) : 1;
    const shards = await Promise.all(Array.from({ length: count }, (_, index) => this.enqueue(request, { original_s: main.duration_s, index, count })));
    return mergeShards(main, shards);
  }

  private pump(): void {
    for (let slot = 0; slot < this.slots.length && this.queue.length > 0; slot++) {
      const executor = this.slots[slot];
      if (executor !== undefined && !executor.alive && !executor.busy) {
        this.slots[slot] = undefined; // died while idle: no job to blame
        void this.restart(slot);
        continue;
      }
      if (executor === undefined || executor.busy) continue;
      void this.runOn(slot, executor, this.queue.shift() as Task);
    }
  }

  private async runOn(slot: number, executor: Executor, task: Task): Promise<void> {
    const timeoutS = task.request.timeout_s ?? this.settings.defaultTimeoutS;
    try {
      const result = await executor.run((id) => jobLine(id, task.request, this.settings.defaultTimeoutS, task.shard), watchdogMs(task.request, timeoutS));
      task.resolve(this.finish(result));
    } catch (error) {
      if (error instanceof ConfigError) task.reject(error);
      else this.onExecutorLost(slot, task, error as Error);
    } finally {
      this.pump();
    }
  }

  private finish(result: RunResult): ExecResult {
    return { ...result, isolation: this.settings.isolation };
  }

  /** The executor died or misbehaved: replace it, and retry the job once before blaming it. */
  private onExecutorLost(slot: number, task: Task, error: Error): void {
    this.slots[slot]?.kill();
    this.slots[slot] = undefined;
    task.attempts += 1;
    if (task.attempts < 2) this.queue.unshift(task);
    else {
      const stderr = error instanceof ExecutorDied ? error.stderr.trim().split("\n").slice(-3).join(" | ") : "";
      task.resolve(
        this.finish({
          status: "crashed",
          tests: [],
          assertions: 0,
          stdout: "",
          stderr,
          duration_s: 0,
          detail: `the executor died twice while running this job (${error.message}); the job is presumed to have killed it`,
        }),
      );
    }
    void this.restart(slot);
  }

  private async restart(slot: number): Promise<void> {
    if (this.closed || this.restarting.has(slot)) return;
    this.restarting.add(slot);
    let executor: Executor;
    try {
      executor = await Executor.start(this.command(this.started++), this.settings.startupTimeoutS * 1000);
    } catch (error) {
      this.restarting.delete(slot);
      this.startFailures += 1;
      if (this.startFailures >= MAX_START_FAILURES) {
        this.broken = new SandboxError(`executors keep failing to start: ${(error as Error).message}`, { cause: error });
        if (this.slots.every((e) => e === undefined)) for (const task of this.queue.splice(0)) task.reject(this.broken);
        return;
      }
      setTimeout(() => void this.restart(slot), 500 * this.startFailures);
      return;
    }
    this.restarting.delete(slot);
    if (this.closed) {
      await executor.close();
      return;
    }
    this.startFailures = 0;
    this.slots[slot] = executor;
    this.pump();
  }

  /** Stops every executor; queued requests are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new SandboxError("the sandbox pool was closed before this request ran"));
    await Promise.all(this.slots.map((e) => e?.close()));
    if (this.workRoot !== undefined) rmSync(this.workRoot, { recursive: true, force: true });
  }
}
