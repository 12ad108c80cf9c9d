/** SFT pairs in TRL's prompt/completion form: the task's prompt and its kind's target (unit_test: the reference test file). */
import { dirname } from "node:path";
import { existsSync, statSync } from "node:fs";
import { UsageError } from "../errors.js";
import { loadChatTemplate, type ChatTemplate } from "../prompts/chat-template.js";
import { kindPrompt, kindTarget } from "../kinds/prompt.js";
import type { Task } from "./schema.js";

export interface SftRow {
  task_id: string;
  prompt: string;
  completion: string;
}

/** The chat template next to --tokenizer, when --chat-template asks for one. */
export function chatTemplateFor(tokenizer: string | undefined, useChat: boolean): ChatTemplate | undefined {
  if (!useChat) return undefined;
  if (tokenizer === undefined) throw new UsageError("--chat-template needs --tokenizer <model dir or tokenizer.json>", "the chat template is read from the tokenizer's directory (chat_template.jinja or tokenizer_config.json)");
  return loadChatTemplate(existsSync(tokenizer) && statSync(tokenizer).isDirectory() ? tokenizer : dirname(tokenizer));
}

/** Whether the task has an answer to train on (unit_test: reference tests; other kinds: their target). */
export function hasSftTarget(task: Task): boolean {
  return kindTarget(task) !== undefined;
}

export function sftRow(task: Task, chat: ChatTemplate | undefined, system?: string): SftRow {
  const completion = kindTarget(task, { chat, system });
  if (completion === undefined) throw new Error(`task ${task.id} has no target to train on`);
  return { task_id: task.id, prompt: kindPrompt(task, { chat, system }), completion };
}

/** Prompt plus target (or the prompt alone for a task without one): what the length filter measures. */
export function trainingText(task: Task, chat: ChatTemplate | undefined): string {
  return kindPrompt(task, { chat }) + (kindTarget(task, { chat }) ?? "");
}
