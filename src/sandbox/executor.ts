/**
 * One executor process (python -m testtune_executor.server, inside bubblewrap or not): start
 * it, wait for its ready line, send it one job at a time, read the result, notice its death.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { ConfigError, SandboxError } from "../errors.js";
import { readySchema, resultMessageSchema, type ReadyMessage, type RunResult } from "./protocol.js";

const STDERR_TAIL = 8000;

export interface ExecutorCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** The executor died or stopped answering: the pool restarts it; the job is not the sample's fault by itself. */
export class ExecutorDied extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "ExecutorDied";
  }
}

interface Pending {
  id: number;
  resolve: (result: RunResult) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class Executor {
  private stderrTail = "";
  private pending: Pending | undefined;
  private exited = false;
  private nextId = 1;
  ready: ReadyMessage | undefined;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {}

  /** Starts an executor and resolves once it is warm and ready (or rejects with its stderr). */
  static start(cmd: ExecutorCommand, startupTimeoutMs: number): Promise<Executor> {
    const child = spawn(cmd.command, cmd.args, { env: cmd.env, stdio: ["pipe", "pipe", "pipe"] });
    const executor = new Executor(child);
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(timer);
        executor.kill();
        reject(new SandboxError(`the executor did not start: ${why}\n${executor.stderrTail.trim().split("\n").slice(-12).join("\n")}`.trim(), {
          hint: "run 'testtune doctor' to check bubblewrap and the Python environment",
        }));
      };
      const timer = setTimeout(() => fail(`no ready message within ${startupTimeoutMs / 1000}s`), startupTimeoutMs);
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        executor.stderrTail = (executor.stderrTail + chunk).slice(-STDERR_TAIL);
      });
      child.on("error", (error) => fail(error.message));
      child.stdin.on("error", () => undefined);
      child.on("exit", (code, signal) => {
        executor.exited = true;
        if (executor.ready === undefined) fail(`it exited (${code ?? signal})`);
        executor.pending?.reject(new ExecutorDied(`the executor died (exit ${code ?? "-"}, signal ${signal ?? "-"}) during a job`, executor.stderrTail));
        executor.pending = undefined;
      });
      createInterface({ input: child.stdout }).on("line", (line) => {
        if (executor.ready === undefined) {
          const parsed = readySchema.safeParse(safeJson(line));
          if (!parsed.success) return fail(`unexpected first line: ${line.slice(0, 200)}`);
          executor.ready = parsed.data;
          clearTimeout(timer);
          resolve(executor);
          return;
        }
        executor.onLine(line);
      });
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  private onLine(line: string): void {
    const pending = this.pending;
    if (pending === undefined) return;
    const raw = safeJson(line) as { type?: string; id?: number; field?: string; message?: string } | undefined;
    this.pending = undefined;
    clearTimeout(pending.timer);
    if (raw?.type === "invalid" && raw.id === pending.id) {
      pending.reject(new ConfigError("exec request", raw.field ?? "", raw.message ?? "rejected by the executor"));
      return;
    }
    const parsed = resultMessageSchema.safeParse(raw);
    if (!parsed.success || parsed.data.id !== pending.id) {
      pending.reject(new SandboxError(`the executor answered something unexpected: ${line.slice(0, 300)}`));
      this.kill();
      return;
    }
    pending.resolve(parsed.data.result);
  }

  /** Sends one job line (built by jobLine with this id) and waits for its result. */
  run(makeLine: (id: number) => string, watchdogMs: number): Promise<RunResult> {
    if (this.pending !== undefined) throw new Error("executor is busy");
    if (this.exited) return Promise.reject(new ExecutorDied("the executor is not running", this.stderrTail));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        this.kill();
        reject(new ExecutorDied(`the executor did not answer within ${Math.round(watchdogMs / 1000)}s`, this.stderrTail));
      }, watchdogMs);
      this.pending = { id, resolve, reject, timer };
      this.child.stdin.write(makeLine(id));
    });
  }

  kill(): void {
    if (!this.exited) this.child.kill("SIGKILL");
  }

  /** Closes stdin (the executor exits when its input ends) and waits, killing it after a grace period. */
  close(graceMs = 5000): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.kill(), graceMs);
      this.child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.stdin.end();
    });
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
