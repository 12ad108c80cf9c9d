/**
 * The repair prompt: the code under test, a test file that failed on it, and the trimmed pytest
 * failure log (src/quality/failure-log.ts), asking for a corrected test file. It keeps the
 * tests-only prompt's sections and ends with the same `### Tests` header, so a model trained on
 * the plain prompt reads it as the task it knows with more context; with a chat template the
 * same sections go in the user message and the answer is one fenced block (as buildPrompt).
 */
import { renderChatAnswer, renderChatPrompt, type ChatMessage } from "./chat-template.js";
import { fence, CONSTRAINTS, type PromptOptions } from "./template.js";

/** What a repair is asked about: one failing test file of one module. */
export interface RepairCase {
  module: string;
  code: string;
  failed_test: string;
  failure_log: string;
}

function repairInstructions(c: RepairCase): string {
  return [
    `### Task: Fix the pytest tests for ${c.module}.py`,
    "### Code Under Test",
    fence(c.code),
    "### Failing Tests",
    fence(c.failed_test),
    "### Pytest Output",
    c.failure_log.trim(),
    CONSTRAINTS,
  ].join("\n");
}

function chatMessages(c: RepairCase, system: string | undefined): ChatMessage[] {
  const user = `${repairInstructions(c)}\nAnswer with the corrected test file in one \`\`\`python block.`;
  return [...(system === undefined ? [] : [{ role: "system", content: system }]), { role: "user", content: user }];
}

export function buildRepairPrompt(c: RepairCase, options: Pick<PromptOptions, "chat" | "system"> = {}): string {
  if (options.chat === undefined) return `${repairInstructions(c)}\n### Tests\n`;
  return renderChatPrompt(options.chat, chatMessages(c, options.system));
}

/** The fixed test file as the model should write it after buildRepairPrompt (stage C's target). */
export function buildRepairTarget(c: RepairCase, fixedTest: string, options: Pick<PromptOptions, "chat" | "system"> = {}): string {
  const tests = fixedTest.endsWith("\n") ? fixedTest : `${fixedTest}\n`;
  return options.chat === undefined ? tests : renderChatAnswer(options.chat, chatMessages(c, options.system), fence(tests));
}
