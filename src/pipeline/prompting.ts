/**
 * How a run writes prompts: through the base model's own chat template when it has one
 * (instruct models answer in the form they were tuned on), else the plain tests-only prompt
 * (the tiny model built from scratch, base models). Every stage that writes prompts (data's
 * SFT pairs, prefs, grpo, ppo, eval) asks here, so they all agree; the data stage records the
 * choice in manifest.json.
 */
import { existsSync } from "node:fs";
import type { RunConfig } from "../config/run-config.js";
import { ConfigError } from "../errors.js";
import { findChatTemplate } from "../prompts/chat-template.js";
import type { PromptOptions } from "../prompts/template.js";
import { sha256 } from "../util/hash.js";
import { baseModel } from "./models.js";

export function runPromptOptions(runDir: string, config: RunConfig): PromptOptions {
  if (config.model.base === undefined || config.model.chat_template === "none") return {};
  const base = baseModel(runDir, config);
  // Never fall back to the plain prompt because the model is missing: the run would train an
  // instruct model on a prompt form it was not tuned on, and fail later at the first engine job.
  if (!existsSync(base)) {
    throw new ConfigError("run config", "model.base", `${config.model.base} is not a model directory (${base} does not exist)`, {
      hint: "give a Hugging Face model directory, or a name that 'testtune model list' shows (get one with 'testtune model pull <name>')",
    });
  }
  const chat = findChatTemplate(base);
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
