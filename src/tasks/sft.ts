/** SFT pairs in TRL's prompt/completion form: the task's prompt and its reference test file. */
import { dirname } from "node:path";
import { existsSync, statSync } from "node:fs";
import { UsageError } from "../errors.js";
import { loadChatTemplate, type ChatTemplate } from "../prompts/chat-template.js";
import { buildPrompt, buildTarget } from "../prompts/template.js";
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

export function sftRow(task: Task, chat: ChatTemplate | undefined, system?: string): SftRow {
  return { task_id: task.id, prompt: buildPrompt(task, { chat, system }), completion: buildTarget(task, { chat, system }) };
}

/** Prompt plus target (or the prompt alone for a task without tests): what the length filter measures. */
export function trainingText(task: Task, chat: ChatTemplate | undefined): string {
  const prompt = buildPrompt(task, { chat });
  return task.tests === undefined ? prompt : prompt + buildTarget(task, { chat });
}
