/**
 * A task's prompt and SFT target through its kind, plain or through a chat template. For
 * unit_test this is exactly src/prompts/template.ts's buildPrompt/buildTarget.
 */
import { renderChatAnswer, renderChatPrompt, type ChatMessage, type ChatTemplate } from "../prompts/chat-template.js";
import { fence } from "../prompts/template.js";
import type { Task } from "../tasks/schema.js";
import { kindOf } from "./index.js";

export interface KindPromptOptions {
  chat?: ChatTemplate;
  system?: string;
}

/** The header a plain prompt ends with when the kind defines no plainPrompt. */
export const ANSWER_HEADER = "### Answer";

function messages(task: Task, system: string | undefined): ChatMessage[] {
  return [...(system === undefined ? [] : [{ role: "system", content: system }]), { role: "user", content: kindOf(task).instruction(task) }];
}

export function kindPrompt(task: Task, options: KindPromptOptions = {}): string {
  const kind = kindOf(task);
  if (options.chat !== undefined) return renderChatPrompt(options.chat, messages(task, options.system));
  return kind.plainPrompt?.(task) ?? `${kind.instruction(task)}\n${ANSWER_HEADER}\n`;
}

/** The SFT target after kindPrompt; undefined when the task has nothing to train on. */
export function kindTarget(task: Task, options: KindPromptOptions = {}): string | undefined {
  const raw = kindOf(task).target(task);
  return raw === undefined ? undefined : answerTarget(task, raw, options);
}

/** A raw answer (the kind's target, or a teacher's answer) as the SFT target after kindPrompt. */
export function answerTarget(task: Task, raw: string, options: KindPromptOptions = {}): string {
  const kind = kindOf(task);
  const text = raw.endsWith("\n") ? raw : `${raw}\n`;
  if (options.chat === undefined) return text;
  return renderChatAnswer(options.chat, messages(task, options.system), (kind.answerFormat ?? "python") === "python" ? fence(text) : text);
}
