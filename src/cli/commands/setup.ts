import { setupPythonEnv } from "../../engine/python-env.js";
import { flag, type Command } from "../command.js";

export const setupCommand: Command = {
  name: "setup",
  summary: "Create or update testtune's Python environment (idempotent; uv, machine's python3).",
  description: `Creates the environment from python/uv.lock with 'uv sync --frozen', using this machine's
python3 (never a downloaded interpreter). Set TESTTUNE_PYTHON=/path/to/python to use an existing
interpreter instead, or TESTTUNE_ENV_DIR to put the environment elsewhere.`,
  flags: [
    { name: "extras", type: "list", value: "<gpu,vllm>", description: "optional extras: gpu (bitsandbytes for QLoRA), vllm (vLLM sampling; CUDA only, refused elsewhere)" },
    { name: "quiet", type: "boolean", description: "print only errors" },
  ],
  async run(args) {
    const quiet = flag.bool(args, "quiet");
    const env = await setupPythonEnv({
      extras: flag.list(args, "extras"),
      onLine: quiet ? undefined : (line) => process.stderr.write(`  ${line}\n`),
    });
    if (!quiet) process.stdout.write(`Python environment ready: ${env.python}${env.external ? " (TESTTUNE_PYTHON)" : ""}\n`);
  },
};
