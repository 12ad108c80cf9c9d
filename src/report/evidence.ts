/**
 * What the report reads beyond results.json: each model's tasks, samples and scores in an eval
 * directory (`<dir>/<model>/{tasks,samples,scores}.jsonl`, as the eval stage and `testtune eval`
 * write them). A model without these files is reported from results.json alone.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DataError } from "../errors.js";
import type { MissedMutant } from "../quality/missed-mutants.js";
import type { Outcome } from "../sandbox/types.js";
import { taskSchema, type Task } from "../tasks/schema.js";
import { readJsonlAll } from "../util/jsonl.js";

/** The fields of a score line the report shows, with the sample's completion joined in. */
export interface ScoredCompletion {
  task_id: string;
  sample_index: number | null;
  status: Outcome;
  valid: boolean;
  reward: number | null;
  mutation?: { score: number; total: number; killed: number } | null;
  detail: string;
  invalid_reason?: string;
  missed_mutants?: MissedMutant[];
  completion: string;
}

export interface ModelEvidence {
  model: string;
  scores: ScoredCompletion[];
}

export interface Evidence {
  /** The eval tasks, in the first model's order (every model is evaluated on the same ones). */
  tasks: Task[];
  models: ModelEvidence[];
}

async function readTasks(file: string): Promise<Task[]> {
  return (await readJsonlAll(file)).map(({ line, value }) => {
    const parsed = taskSchema.safeParse(value);
    if (!parsed.success) throw new DataError(file, `line ${line}`, `is not a task (${parsed.error.issues[0]?.message ?? "invalid"})`, { hint: "re-run the eval that wrote this directory" });
    return parsed.data;
  });
}

/** Each model's scores joined with its samples by line (score lines name the sample's line in samples.jsonl). */
async function readModel(dir: string, model: string): Promise<ModelEvidence | null> {
  const samplesFile = join(dir, model, "samples.jsonl");
  const scoresFile = join(dir, model, "scores.jsonl");
  if (!existsSync(samplesFile) || !existsSync(scoresFile)) return null;
  const completions = new Map<number, string>();
  for (const { line, value } of await readJsonlAll(samplesFile)) {
    const completion = (value as { completion?: unknown }).completion;
    if (typeof completion === "string") completions.set(line, completion);
  }
  const scores = (await readJsonlAll(scoresFile)).map(({ line, value }) => {
    const score = value as Omit<ScoredCompletion, "completion"> & { sample_line?: unknown };
    if (typeof score.task_id !== "string" || typeof score.status !== "string") {
      throw new DataError(scoresFile, `line ${line}`, "is not a score line (task_id and status are missing)", { hint: "re-run the eval that wrote this directory" });
    }
    const completion = typeof score.sample_line === "number" ? completions.get(score.sample_line) : undefined;
    return { ...score, completion: completion ?? "" };
  });
  return { model, scores };
}

/**
 * Reads the evidence for `models` from an eval directory; tasks come from `tasksFile` when
 * given (`testtune eval` keeps one tasks file for all models), else from the first model that
 * has them (the pipeline's eval stage).
 */
export async function readEvidence(dir: string, models: readonly string[], tasksFile?: string): Promise<Evidence> {
  const taskFile = tasksFile ?? models.map((m) => join(dir, m, "tasks.jsonl")).find((f) => existsSync(f));
  const found: ModelEvidence[] = [];
  for (const model of models) {
    const evidence = await readModel(dir, model);
    if (evidence !== null) found.push(evidence);
  }
  // A tasks file can hold more than was evaluated (`testtune eval --limit`): keep the scored ones.
  const scored = new Set(found.flatMap((m) => m.scores.map((s) => s.task_id)));
  const tasks = (taskFile === undefined ? [] : await readTasks(taskFile)).filter((t) => found.length === 0 || scored.has(t.id));
  return { tasks, models: found };
}
