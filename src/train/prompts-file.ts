/** The prompts file the engine's generate, grpo and ppo jobs read: one {task_id, prompt} per task. */
import { kindPrompt } from "../kinds/prompt.js";
import type { PromptOptions } from "../prompts/template.js";
import type { Task } from "../tasks/schema.js";
import { writeJsonl } from "../util/jsonl.js";

export interface TaskPrompt {
  task_id: string;
  prompt: string;
}

/** Writes the tasks' prompts (the tests-only template, or a model's chat template) and returns them. */
export function writePromptsFile(file: string, tasks: readonly Task[], options: PromptOptions = {}): TaskPrompt[] {
  const prompts = tasks.map((task) => ({ task_id: task.id, prompt: kindPrompt(task, options) }));
  writeJsonl(file, prompts);
  return prompts;
}
