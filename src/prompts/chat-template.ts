/**
 * A model's own chat template (Jinja, from its tokenizer files), rendered in TypeScript with
 * @huggingface/jinja, the implementation Hugging Face maintains for exactly these templates.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Template } from "@huggingface/jinja";
import { ConfigError } from "../errors.js";

export interface ChatTemplate {
  /** The Jinja source. */
  template: string;
  bosToken?: string;
  eosToken?: string;
  /**
   * The tokenizer puts bos in front of every text it encodes (Llama-2's and DeepSeek's do).
   * A template that renders `bos_token` itself would then give two: prompts drop the rendered one.
   */
  addsBos?: boolean;
  /** Where it was read from, for error messages. */
  file?: string;
}

export interface ChatMessage {
  role: string;
  content: string;
}

/** A special token in tokenizer_config.json is a string or an AddedToken object with `content`. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && typeof (value as { content?: unknown }).content === "string") return (value as { content: string }).content;
  return undefined;
}

function readJsonObject(file: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(file, "", `not valid JSON (${(error as Error).message})`);
  }
  throw new ConfigError(file, "", "must be a JSON object");
}

/** `chat_template` is a string, or a list of {name, template} of which we use "default". */
function pickTemplate(file: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    const named = value.find((v: { name?: unknown }) => v?.name === "default") as { template?: unknown } | undefined;
    if (typeof named?.template === "string") return named.template;
  }
  throw new ConfigError(file, "chat_template", "must be a string or a list with a {name: 'default', template} entry");
}

/**
 * Loads the chat template of a model directory or a tokenizer_config.json: a directory's
 * chat_template.jinja wins (newer transformers save it there), then tokenizer_config.json.
 */
export function loadChatTemplate(path: string): ChatTemplate {
  if (!existsSync(path)) throw new ConfigError(path, "", "not found", { hint: "pass a model directory or its tokenizer_config.json" });
  const chat = findChatTemplate(path);
  if (chat === undefined) {
    throw new ConfigError(statSync(path).isDirectory() ? join(path, "tokenizer_config.json") : path, "chat_template", "the tokenizer has no chat template (a base model?)", {
      hint: "use the plain tests-only prompt (drop --chat-template) for base models",
    });
  }
  return chat;
}

/** The chat template of a model directory or tokenizer_config.json, or undefined when it has none (base models). */
export function findChatTemplate(path: string): ChatTemplate | undefined {
  if (!existsSync(path)) return undefined;
  const dir = statSync(path).isDirectory() ? path : undefined;
  const configFile = dir === undefined ? path : join(dir, "tokenizer_config.json");
  const config = existsSync(configFile) ? readJsonObject(configFile) : {};
  const jinjaFile = dir === undefined ? undefined : join(dir, "chat_template.jinja");
  const fromJinja = jinjaFile !== undefined && existsSync(jinjaFile);
  const template = fromJinja ? readFileSync(jinjaFile, "utf8") : pickTemplate(configFile, config.chat_template);
  if (template === undefined) return undefined;
  const bosToken = tokenText(config.bos_token);
  return {
    template,
    bosToken,
    eosToken: tokenText(config.eos_token),
    addsBos: addsBos(config, dir, bosToken),
    file: fromJinja ? jinjaFile : configFile,
  };
}

/**
 * Whether encoding a text prepends bos: `add_bos_token` in tokenizer_config.json when it is
 * there (slow Llama tokenizers), else the post-processor of tokenizer.json (what the fast
 * tokenizer actually runs; transformers 5 saves only this).
 */
function addsBos(config: Record<string, unknown>, dir: string | undefined, bosToken: string | undefined): boolean {
  if (typeof config.add_bos_token === "boolean") return config.add_bos_token;
  const tokenizerFile = dir === undefined ? undefined : join(dir, "tokenizer.json");
  if (bosToken === undefined || tokenizerFile === undefined || !existsSync(tokenizerFile)) return false;
  const processor = readJsonObject(tokenizerFile).post_processor as { single?: Array<{ SpecialToken?: { id?: string } }> } | null | undefined;
  return processor?.single?.[0]?.SpecialToken?.id === bosToken;
}

const compiled = new Map<string, Template>();

export function renderChat(chat: ChatTemplate, messages: ChatMessage[], options: { addGenerationPrompt: boolean }): string {
  let template = compiled.get(chat.template);
  if (template === undefined) {
    try {
      template = new Template(chat.template);
    } catch (error) {
      throw new ConfigError(chat.file ?? "chat template", "chat_template", `cannot be parsed: ${(error as Error).message}`);
    }
    compiled.set(chat.template, template);
  }
  try {
    return template.render({
      messages,
      add_generation_prompt: options.addGenerationPrompt,
      bos_token: chat.bosToken ?? "",
      eos_token: chat.eosToken ?? "",
    });
  } catch (error) {
    throw new ConfigError(chat.file ?? "chat template", "chat_template", `failed to render: ${(error as Error).message}`);
  }
}

/** The prompt of a conversation: the messages, then the assistant's turn opened. */
export function renderChatPrompt(chat: ChatTemplate, messages: ChatMessage[]): string {
  const prompt = renderChat(chat, messages, { addGenerationPrompt: true });
  return chat.addsBos === true && chat.bosToken !== undefined && prompt.startsWith(chat.bosToken) ? prompt.slice(chat.bosToken.length) : prompt;
}

/**
 * What the assistant's turn adds after `renderChatPrompt(messages)` when it answers `answer`:
 * the answer and the template's end-of-turn (`<|im_end|>`, `</s>`, `<|EOT|>`), so training on
 * it teaches the model to stop. Trailing whitespace (the separator before a next turn, never
 * generated because generation stops at the end-of-turn token) is left out.
 */
export function renderChatAnswer(chat: ChatTemplate, messages: ChatMessage[], answer: string): string {
  const prompt = renderChat(chat, messages, { addGenerationPrompt: true });
  const whole = renderChat(chat, [...messages, { role: "assistant", content: answer }], { addGenerationPrompt: false });
  if (!whole.startsWith(prompt)) {
    throw new ConfigError(chat.file ?? "chat template", "chat_template", "renders the prompt differently from the start of the same conversation with an answer, so the answer cannot be cut out of it", {
      hint: "use a template whose generation prompt is the start of the assistant's turn, or the plain prompt (see docs/training.md, chat templates)",
    });
  }
  return whole.slice(prompt.length).trimEnd();
}
