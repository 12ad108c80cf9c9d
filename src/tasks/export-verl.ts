/**
 * Tasks as verl's RL parquet (matched against verl 0.9.1, its docs "Prepare Data for
 * Post-Training"): one row per task with
 * - `data_source`: `testtune/<source>` (verl passes it to the reward function; ours ignores it),
 * - `prompt`: the chat messages verl renders with the model's chat template (one user message:
 *   the same instruction testtune gives instruct models, src/prompts/template.ts),
 * - `ability`: `unit_test`,
 * - `reward_model`: `{style: "rule", ground_truth: <task id>}`: the reward function
 *   (python/testtune_rewards/verl.py) sends the task id to `testtune serve-rewards`,
 * - `extra_info`: `{index, split, task_id}` (verl reads `index`).
 * The schema is the one pandas/pyarrow write for such rows (a 3-level LIST of structs, structs),
 * so `datasets.load_dataset("parquet")`, which verl uses, reads it back as the same objects.
 */
import { parquetWriteFile } from "hyparquet-writer";
import { buildInstruction } from "../prompts/template.js";
import type { Task } from "./schema.js";

export interface VerlRow {
  data_source: string;
  prompt: { role: string; content: string }[];
  ability: string;
  reward_model: { style: string; ground_truth: string };
  extra_info: { index: number; split: string; task_id: string };
}

export function verlRows(tasks: readonly Task[]): VerlRow[] {
  return tasks.map((task, index) => ({
    data_source: `testtune/${task.source}`,
    prompt: [{ role: "user", content: buildInstruction(task) }],
    ability: "unit_test",
    reward_model: { style: "rule", ground_truth: task.id },
    extra_info: { index, split: task.split ?? "", task_id: task.id },
  }));
}

const text = (name: string) => ({ name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" }) as const;
const group = (name: string, children: number, extra: object = {}) => ({ name, num_children: children, repetition_type: "OPTIONAL", ...extra }) as const;

const SCHEMA = [
  { name: "schema", num_children: 5 },
  text("data_source"),
  group("prompt", 1, { converted_type: "LIST" }),
  { name: "list", num_children: 1, repetition_type: "REPEATED" },
  group("element", 2),
  text("role"),
  text("content"),
  text("ability"),
  group("reward_model", 2),
  text("style"),
  text("ground_truth"),
  group("extra_info", 3),
  { name: "index", type: "INT64", repetition_type: "OPTIONAL" },
  text("split"),
  text("task_id"),
] as const;

export function writeVerlParquet(file: string, rows: readonly VerlRow[]): void {
  const column = <K extends keyof VerlRow>(name: K) => ({ name, data: rows.map((r) => r[name]) });
  // nested INT64 values must be bigint for the writer
  const extraInfo = { name: "extra_info", data: rows.map((r) => ({ ...r.extra_info, index: BigInt(r.extra_info.index) })) };
  parquetWriteFile({
    filename: file,
    columnData: [column("data_source"), column("prompt"), column("ability"), column("reward_model"), extraInfo],
    schema: SCHEMA.map((element) => ({ ...element })),
  });
}
