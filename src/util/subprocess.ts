/**
 * The one subprocess launcher. Results look the same whether the command passed or failed:
 * exit code or signal, duration and captured output, never a status hidden in a string.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

export interface RunResult {
  command: string;
  args: string[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
  stdout: string;
  stderr: string;
  ok: boolean;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  /** Called with each chunk of stderr as it arrives (progress from long tools). */
  onStderr?: (chunk: string) => void;
  onStdout?: (chunk: string) => void;
  /** Keep at most this many characters of each stream (the tail). */
  maxOutput?: number;
}

/** Runs a command to completion and returns its result; it never throws for a non-zero exit. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const max = options.maxOutput ?? 1_000_000;
  return new Promise((resolve) => {
    const spawnOptions: SpawnOptions = { cwd: options.cwd, env: options.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] };
    let child: ChildProcess;
    let stdout = "";
    let stderr = "";
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
      clearTimeout(timer);
      resolve({
        command,
        args,
        exitCode,
        signal,
        durationMs: Date.now() - started,
        stdout,
        stderr: spawnError === undefined ? stderr : `${stderr}${spawnError.message}`,
        ok: spawnError === undefined && exitCode === 0,
      });
    };
    try {
      child = spawn(command, args, spawnOptions);
    } catch (error) {
      finish(null, null, error as Error);
      return;
    }
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout = (stdout + chunk).slice(-max);
      options.onStdout?.(chunk);
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-max);
      options.onStderr?.(chunk);
    });
    child.on("error", (error) => finish(null, null, error));
    child.on("close", (code, signal) => finish(code, signal));
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(options.input ?? "");
  });
}

/** Whether a command exists on PATH (or at a path) and runs `--version` successfully. */
export async function commandWorks(command: string, args: string[] = ["--version"]): Promise<boolean> {
  const result = await run(command, args, { timeoutMs: 20_000 });
  return result.ok;
}
