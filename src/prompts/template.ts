/**
 * The prompt a model sees for a task and the target it is trained to produce.
 *
 * The default "tests-only" template shows the code under test and asks for a pytest file,
 * ending with a `### Tests` header; the target is then the raw test file (no fence), so a
 * completion is plain Python from its first character. With a chat template (instruct
 * models) the same instructions go in a user message and the target is one ```python fenced
 * block, the form such models answer in. src/prompts/extract.ts accepts both: a fenced
 * block when present, otherwise the raw text.
 */
import { renderChatAnswer, renderChatPrompt, type ChatMessage, type ChatTemplate } from "./chat-template.js";
import type { Task } from "../tasks/schema.js";

export const PROMPT_TEMPLATES = ["tests-only"] as const;
export type PromptTemplateName = (typeof PROMPT_TEMPLATES)[number];

export interface PromptOptions {
  template?: PromptTemplateName;
  /** Render through the model's own chat template (instruct models). */
  chat?: ChatTemplate;
  /** System message for chat models; none by default. */
  system?: string;
}

export const CONSTRAINTS = "### Constraints: pytest only, no hypothesis, no unittest. Edge cases, parametrize, no explanation.";

/** Code in one ```python fenced block, as prompts and chat targets show it. */
export function fence(code: string): string {
  return `\`\`\`python\n${code.endsWith("\n") ? code : `${code}\n`}\`\`\``;
}

/** The instruction block shared by the plain and chat forms. */
function instructions(task: Task): string {
  return [`### Task: Write pytest tests for ${task.module}.py`, "### Code Under Test", fence(task.code), CONSTRAINTS].join("\n");
}

/** The user message for a chat model (a teacher, or an instruct model through its chat template). */
export function buildInstruction(task: Task): string {
  return `${instructions(task)}\nAnswer with the test file in one \`\`\`python block.`;
}

function chatMessages(task: Task, system: string | undefined): ChatMessage[] {
  return [...(system === undefined ? [] : [{ role: "system", content: system }]), { role: "user", content: buildInstruction(task) }];
}

export function buildPrompt(task: Task, options: PromptOptions = {}): string {
  const template = options.template ?? "tests-only";
  if (!PROMPT_TEMPLATES.includes(template)) throw new Error(`unknown prompt template ${String(template)}`);
  if (options.chat === undefined) return `${instructions(task)}\n### Tests\n`;
  return renderChatPrompt(options.chat, chatMessages(task, options.system));
}

/**
 * The reference test file as the model should write it after `buildPrompt`: raw for the
 * plain template; for chat, the assistant's turn holding one fenced block, up to and with the
 * template's end-of-turn token. Throws when the task has no reference tests.
 */
export function buildTarget(task: Task, options: Pick<PromptOptions, "chat" | "system"> = {}): string {
  if (task.tests === undefined) throw new Error(`task ${task.id} has no reference tests to train on`);
  const tests = task.tests.endsWith("\n") ? task.tests : `${task.tests}\n`;
  return options.chat === undefined ? tests : renderChatAnswer(options.chat, chatMessages(task, options.system), fence(tests));
}
