/** `testtune data export`: tasks in the data format another RL trainer reads (verl's parquet). */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError } from "../../errors.js";
import { verlRows, writeVerlParquet } from "../../tasks/export-verl.js";
import { readTasks } from "../../tasks/io.js";
import { flag, type Command } from "../command.js";

const FORMATS = ["verl"] as const;
const SPLITS = ["all", "train", "eval"] as const;

export const exportCommand: Command = {
  name: "export",
  summary: "Write tasks in another trainer's data format: verl's RL parquet (prompt, reward_model, ...).",
  description: `--format verl writes one row per task with verl's columns (data_source, prompt as chat
messages, ability, reward_model {style, ground_truth: the task id}, extra_info {index, split, task_id}),
for verl's GRPO/PPO with python/testtune_rewards/verl.py scoring through 'testtune serve-rewards'.
docs/rewards.md has the whole recipe; configs/verl/grpo_testtune.yaml is an example run.`,
  flags: [
    { name: "format", type: "string", required: true, value: `<${FORMATS.join("|")}>`, description: "the trainer's data format" },
    { name: "tasks", type: "string", required: true, value: "<tasks.jsonl>", description: "the tasks to export" },
    { name: "out", type: "string", required: true, value: "<file.parquet>", description: "the file to write" },
    { name: "split", type: "string", default: "all", value: `<${SPLITS.join("|")}>`, description: "which tasks of the file to export" },
  ],
  async run(args) {
    const format = flag.need(args, "format");
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got '${format}'`, "testtune data export --help");
    const split = flag.need(args, "split");
    if (!(SPLITS as readonly string[]).includes(split)) throw new UsageError(`--split must be one of ${SPLITS.join(", ")}, got '${split}'`, "testtune data export --help");
    const out = flag.need(args, "out");
    if (!out.endsWith(".parquet")) throw new UsageError(`--out must name a .parquet file (verl reads files by their extension), got '${out}'`);
    const file = flag.need(args, "tasks");
    const all = await readTasks(file);
    const tasks = split === "all" ? all : all.filter((t) => t.split === split);
    if (tasks.length === 0) throw new UsageError(`no ${split === "all" ? "" : `${split} `}tasks in ${file}`, split === "all" ? "'testtune data prepare' writes a tasks file" : "pass --split all, or a file with that split");
    mkdirSync(dirname(out), { recursive: true });
    writeVerlParquet(out, verlRows(tasks));
    process.stdout.write(`${tasks.length} tasks -> ${out} (verl parquet: the task id is reward_model.ground_truth)\n`);
  },
};
