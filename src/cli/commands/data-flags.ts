/** What the data commands share: the seed's default, the sandbox flags and the pool they start. */
import { UsageError } from "../../errors.js";
import { SandboxPool } from "../../sandbox/pool.js";
import { flag, type FlagSpec, type ParsedArgs } from "../command.js";

export const DEFAULT_SEED = 1234; // the run config's default seed, so `data prepare` and `testtune run` agree

export const sandboxFlags: FlagSpec[] = [
  { name: "isolation", type: "string", value: "<bubblewrap|none>", default: "bubblewrap", description: "sandbox isolation; 'none' runs tests unisolated (only for trusted code)" },
  { name: "workers", type: "number", description: "sandbox executor processes (default: one per core)" },
  { name: "timeout", type: "number", value: "<seconds>", default: 10, description: "wall-clock limit per test run" },
];

/** Starts the sandbox pool that --verify, distill and traces run test files in. */
export async function startSandbox(args: ParsedArgs): Promise<SandboxPool> {
  const isolation = flag.str(args, "isolation");
  if (isolation !== "bubblewrap" && isolation !== "none") throw new UsageError(`--isolation takes bubblewrap or none, got '${isolation}'`);
  return SandboxPool.start({ workers: flag.num(args, "workers"), isolation, defaultTimeoutS: flag.num(args, "timeout") });
}
