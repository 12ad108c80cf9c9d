/** `testtune train <sft|dpo|ppo|grpo> --config <file>`: one training job from a YAML config. */
import { EngineInterruptedError } from "../../engine/job-errors.js";
import { UsageError } from "../../errors.js";
import { TRAIN_COMMAND_JOBS, type TrainCommandJob } from "../../train/job-config.js";
import { runTrainJob } from "../../train/run-train.js";
import { flag, type Command } from "../command.js";

/** The last values printed when a job ends (every metric is in <output_dir>/metrics.jsonl). */
const SUMMARY = ["step", "loss", "reward_mean", "valid_rate", "kl"] as const;

function isJob(name: string): name is TrainCommandJob {
  return (TRAIN_COMMAND_JOBS as readonly string[]).includes(name);
}

export const trainCommand: Command = {
  name: "train",
  summary: "Run one training job (sft, dpo, ppo, grpo) from a YAML config; re-running resumes from its newest checkpoint.",
  description: `The config holds the job's fields (docs/training.md lists them with their defaults), e.g.
  # dpo.yaml: testtune train dpo --config dpo.yaml
  model: runs/x/sft/merged
  data: runs/x/prefs/pairs.jsonl
  output_dir: runs/x/dpo
  max_steps: 200
For ppo and grpo the config names a tasks file instead of a reward URL: testtune starts the
sandbox and the reward service (POST /v1/score) itself and passes the URL to the job.
Relative paths are relative to the config file. Ctrl-C saves a checkpoint and exits 130.
--processes 2 trains as two CPU processes (gloo), --gpus 4 as four GPU processes; batch_size is
per process, so the batch of a step grows with them (docs/training.md, "Several processes").`,
  positionals: [{ name: "job", description: `what to train: ${TRAIN_COMMAND_JOBS.join(", ")}`, required: true }],
  flags: [
    { name: "config", type: "string", value: "<file.yaml>", required: true, description: "the job's config" },
    { name: "set", type: "list", value: "<key=value,...>", description: "override fields, e.g. --set max_steps=50,beta=0.2" },
    { name: "processes", type: "number", value: "<n>", description: "train as n CPU processes through accelerate (DDP over gloo); each takes batch_size per step" },
    { name: "gpus", type: "number", value: "<n>", description: "train as one process per GPU through accelerate (DDP over nccl); needs CUDA" },
    { name: "accelerate-config", type: "string", value: "<file.yaml>", description: "an accelerate config for --gpus: FSDP or DeepSpeed ZeRO-2/3 (configs/accelerate/)" },
    { name: "quiet", type: "boolean", description: "no progress bar" },
  ],
  async run(args) {
    const job = args.positionals[0] ?? "";
    if (!isJob(job)) throw new UsageError(`'testtune train' trains one of ${TRAIN_COMMAND_JOBS.join(", ")}, got '${job}'`, "e.g. testtune train dpo --config dpo.yaml");
    try {
      const result = await runTrainJob(job, flag.need(args, "config"), {
        set: flag.list(args, "set"),
        processes: flag.num(args, "processes"),
        gpus: flag.num(args, "gpus"),
        accelerateConfig: flag.str(args, "accelerate-config"),
        quiet: flag.bool(args, "quiet"),
        log: (line) => process.stderr.write(`reward service: ${line}\n`),
      });
      const last = result.metrics.filter((m) => typeof m.loss === "number").at(-1);
      const figures = SUMMARY.filter((name) => typeof last?.[name] === "number").map((name) => `${name} ${name === "step" ? String(last?.[name]) : Number(last?.[name]).toPrecision(4)}`);
      for (const artifact of result.artifacts) process.stdout.write(`${artifact.kind}: ${artifact.path}\n`);
      process.stdout.write(`${job} done in ${(result.durationMs / 1000).toFixed(1)} s${figures.length === 0 ? "" : `: ${figures.join(", ")}`}\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof EngineInterruptedError)) throw error;
      process.stderr.write(`${error.message}\nHINT: ${error.hint ?? ""}\n`);
      return 130;
    }
  },
};
