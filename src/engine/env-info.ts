/** What the Python side has: library versions and torch devices (python -m testtune_engine.env_info). */
import { EnvError } from "../errors.js";
import { run } from "../util/subprocess.js";
import type { PythonEnv } from "./python-env.js";

export interface EnvInfo {
  python: string;
  executable: string;
  platform: string;
  libraries: Record<string, { version: string | null; error: string | null }>;
  /** torch.distributed backends this torch build offers (absent from an older env_info). */
  distributed?: { gloo: boolean; nccl: boolean; mpi: boolean };
  torch: { available: boolean; cuda?: boolean; cuda_version?: string | null; devices?: string[]; bf16?: boolean; threads?: number; error?: string };
}

export async function readEnvInfo(env: PythonEnv): Promise<EnvInfo> {
  const result = await run(env.python, ["-m", "testtune_engine.env_info"], { env: env.env, timeoutMs: 120_000 });
  if (!result.ok) {
    throw new EnvError(`cannot query the Python environment (${env.python}): ${result.stderr.trim().split("\n").slice(-3).join(" ")}`, {
      hint: "run 'testtune setup' to repair it",
    });
  }
  return JSON.parse(result.stdout.trim().split("\n").pop() ?? "{}") as EnvInfo;
}
