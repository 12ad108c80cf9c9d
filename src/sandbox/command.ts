/** The command line that starts one executor, under the pool's isolation. */
import { join } from "node:path";
import { EnvError } from "../errors.js";
import { pythonEnv } from "../engine/python-env.js";
import { checkBubblewrap } from "./bubblewrap-check.js";
import { bubblewrapArgs } from "./bubblewrap.js";
import type { ExecutorCommand } from "./executor.js";
import { interpreterLayout } from "./interpreter.js";
import type { PoolSettings } from "./request.js";

/**
 * The command that starts one executor under the pool's isolation. Without isolation each
 * executor works in its own directory under one the pool removes when it closes, so nothing
 * stays behind even when an executor is killed.
 */
export async function executorCommand(settings: PoolSettings, workRoot: string | undefined): Promise<(n: number) => ExecutorCommand> {
  const env = await pythonEnv({ quiet: true });
  const limits = JSON.stringify({
    memory_mb: settings.memoryMb,
    processes: settings.maxProcesses,
    file_size_mb: settings.fileSizeMb,
    output_bytes: settings.maxOutputBytes,
  });
  if (workRoot !== undefined) {
    const args = ["-s", "-B", "-m", "testtune_executor.server", "--limits", limits];
    return (n) => ({ command: env.python, args: [...args, "--workdir", join(workRoot, `executor-${n}`)], env: env.env });
  }
  const bwrap = settings.bwrap ?? process.env.TESTTUNE_BWRAP ?? "bwrap";
  const status = await checkBubblewrap(bwrap);
  if (!status.ok) {
    throw new EnvError(`the sandbox needs bubblewrap: ${status.problem ?? "unavailable"}`, {
      hint: `${status.fix ?? "install bubblewrap"}; or, only for code you trust, run without isolation (--isolation none / isolation: "none")`,
    });
  }
  const layout = await interpreterLayout(env);
  const args = bubblewrapArgs({ layout, tmpMb: settings.tmpMb, serverArgs: ["--limits", limits], root: process.getuid?.() === 0 });
  return () => ({ command: bwrap, args, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
}
