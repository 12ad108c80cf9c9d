import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { pythonEnv } from "../../engine/python-env.js";
import { listPresets } from "../../config/presets.js";
import { STAGES_HELP } from "../../config/run-config.js";
import { pipelineStages } from "../../pipeline/stages/index.js";
import { pinRunConfig, resolveRunConfig } from "../../pipeline/resolve-config.js";
import { runPipeline } from "../../pipeline/runner.js";
import { printRunSummary } from "../../pipeline/summary-print.js";
import { flag, type Command } from "../command.js";

export const runCommand: Command = {
  name: "run",
  summary: "Run the pipeline (data, pretrain, sft, ..., eval, report) into a run directory; re-running resumes.",
  description: `Layers: schema defaults < --preset < --config file < --set overrides < --stages.
Completed stages (status.json says complete) are skipped; an interrupted stage resumes from its
newest checkpoint. Ctrl-C saves a checkpoint and exits; run the same command again to go on.
Presets: ${listPresets().join(", ")}.`,
  flags: [
    { name: "preset", type: "string", value: "<name>", description: "a shipped preset", default: "smoke" },
    { name: "config", type: "string", value: "<file.yaml>", description: "a config file merged over the preset" },
    { name: "out", type: "string", value: "<dir>", description: "run directory (default: runs/<name>)" },
    { name: "set", type: "list", value: "<key=value,...>", description: "override fields, e.g. --set sft.max_steps=300,eval.n=8" },
    { name: "stages", type: "list", value: "<a,b,...>", description: `stages to run, from: ${STAGES_HELP}` },
    { name: "quiet", type: "boolean", description: "no progress bars" },
  ],
  async run(args) {
    const config = resolveRunConfig({
      preset: flag.str(args, "preset"),
      file: flag.str(args, "config"),
      set: flag.list(args, "set"),
      stages: flag.list(args, "stages"),
    });
    const runDir = resolve(flag.str(args, "out") ?? `runs/${config.name}`);
    mkdirSync(runDir, { recursive: true });
    pinRunConfig(runDir, config);
    const env = await pythonEnv();
    process.stderr.write(`testtune run '${config.name}' -> ${runDir}\n`);
    const started = Date.now();
    await runPipeline({ runDir, config, env, stages: pipelineStages, quiet: flag.bool(args, "quiet") });
    printRunSummary(runDir, (Date.now() - started) / 1000);
  },
};
