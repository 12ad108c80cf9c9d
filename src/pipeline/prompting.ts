/**
 * How a run writes prompts: through the base model's own chat template when it has one
 * (instruct models answer in the form they were tuned on), else the plain tests-only prompt
 * (the tiny model built from scratch, base models). Every stage that writes prompts (data's
 * SFT pairs, prefs, grpo, ppo, eval) asks here, so they all agree; the data stage records the
 * choice in manifest.json.
 */
import type { RunConfig } from "../config/run-config.js";
import { findChatTemplate } from "../prompts/chat-template.js";
import type { PromptOptions } from "../prompts/template.js";
import { sha256 } from "../util/hash.js";
import { baseModel } from "./models.js";

export function runPromptOptions(runDir: string, config: RunConfig): PromptOptions {
  if (config.model.base === undefined || config.model.chat_template === "none") return {};
  const chat = findChatTemplate(baseModel(runDir, config));
  return chat === undefined ? {} : { chat, system: config.model.system_prompt };
}

/** What manifest.json records about the prompts: enough to tell two runs' prompts apart. */
export function promptRecord(options: PromptOptions): Record<string, unknown> {
  if (options.chat === undefined) return { form: "tests-only" };
  return {
    form: "chat",
    chat_template_file: options.chat.file ?? null,
    chat_template_sha256: sha256(options.chat.template),
    bos_left_to_tokenizer: options.chat.addsBos === true,
    system_prompt: options.system ?? null,
  };
}
