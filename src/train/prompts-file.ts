/** The prompts file the engine's generate, grpo and ppo jobs read: one {task_id, prompt} per task. */
import { buildPrompt } from "../prompts/template.js";
import type { Task } from "../tasks/schema.js";
import { writeJsonl } from "../util/jsonl.js";

export interface TaskPrompt {
  task_id: string;
  prompt: string;
}

/** Writes the tasks' prompts (the default tests-only template) and returns them. */
export function writePromptsFile(file: string, tasks: readonly Task[]): TaskPrompt[] {
  const prompts = tasks.map((task) => ({ task_id: task.id, prompt: buildPrompt(task) }));
  writeJsonl(file, prompts);
  return prompts;
}
