/**
 * An Ollama Modelfile for an exported GGUF: FROM, a TEMPLATE in Ollama's Go-template form
 * translated from the model's Jinja chat template, PARAMETER stop lines from the template's
 * end markers, and SYSTEM.
 *
 * Chat templates are programs, so they are not translated statement by statement: the family
 * is recognised by its markers and written as that family's Go template (the forms of
 * Ollama's own library templates). ChatML (SmolLM2, Qwen2/2.5), Llama 3 headers and Llama 2
 * [INST] are known; for any other template the Modelfile has no TEMPLATE and Ollama falls
 * back to the template it detects from the GGUF's own tokenizer.chat_template (the returned
 * `note` says so, and the model card repeats it).
 */
import { UsageError } from "../errors.js";
import { renderChat, type ChatTemplate } from "../prompts/chat-template.js";

export interface TemplateFamily {
  name: string;
  /** Recognises the family in a Jinja chat template. */
  matches: (jinja: string) => boolean;
  /** Ollama's Go template over .Messages (system messages, SYSTEM included, are in .Messages). */
  template: string;
  stops: string[];
  /** The default system prompt a template injects when none is given, found by rendering it. */
  defaultSystem: (chat: ChatTemplate) => string | undefined;
}

const PROBE = "\u0001probe\u0001";

/** What the template writes before the user's message when it gets no system message. */
function injectedSystem(chat: ChatTemplate, pattern: RegExp): string | undefined {
  try {
    const rendered = renderChat(chat, [{ role: "user", content: PROBE }], { addGenerationPrompt: false });
    return pattern.exec(rendered.slice(0, rendered.indexOf(PROBE)))?.[1];
  } catch {
    return undefined; // a template that cannot render a lone user turn injects nothing we can show
  }
}

export const TEMPLATE_FAMILIES: readonly TemplateFamily[] = [
  {
    name: "chatml",
    matches: (jinja) => jinja.includes("<|im_start|>") && jinja.includes("<|im_end|>"),
    template: `{{- range .Messages }}<|im_start|>{{ .Role }}
{{ .Content }}<|im_end|>
{{ end }}<|im_start|>assistant
`,
    stops: ["<|im_end|>", "<|im_start|>"],
    defaultSystem: (chat) => injectedSystem(chat, /<\|im_start\|>system\n([\s\S]*?)<\|im_end\|>/),
  },
  {
    name: "llama3",
    matches: (jinja) => jinja.includes("<|start_header_id|>") && jinja.includes("<|eot_id|>"),
    template: `{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>

{{ .Content }}<|eot_id|>
{{- end }}<|start_header_id|>assistant<|end_header_id|>

`,
    stops: ["<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>"],
    defaultSystem: (chat) => injectedSystem(chat, /<\|start_header_id\|>system<\|end_header_id\|>\n\n([\s\S]*?)<\|eot_id\|>/),
  },
  {
    name: "llama2",
    matches: (jinja) => jinja.includes("[INST]") && jinja.includes("[/INST]"),
    // The system prompt goes inside the first user turn, as Llama 2 chat was trained.
    template: `{{- range $i, $_ := .Messages }}
{{- if eq .Role "user" }}[INST] {{ if and $.System (le $i 1) }}<<SYS>>
{{ $.System }}
<</SYS>>

{{ end }}{{ .Content }} [/INST]
{{- else if eq .Role "assistant" }} {{ .Content }}</s><s>
{{- end }}
{{- end }}`,
    stops: ["[INST]", "[/INST]", "<<SYS>>", "<</SYS>>"],
    defaultSystem: () => undefined,
  },
];

export function templateFamily(jinja: string): TemplateFamily | undefined {
  return TEMPLATE_FAMILIES.find((family) => family.matches(jinja));
}

export interface ModelfileInput {
  /** The GGUF file name, relative to the Modelfile. */
  from: string;
  /** The model's chat template, when it has one. */
  chat: ChatTemplate | undefined;
  /** The system prompt the run used; otherwise the template's own default, if it injects one. */
  system?: string;
}

export interface Modelfile {
  text: string;
  family: string | undefined;
  /** Why the Modelfile has no TEMPLATE, when it has none. */
  note: string | undefined;
}

/** Ollama reads """...""" as a raw multi-line string; a value holding """ cannot be written that way. */
function quoted(value: string): string {
  if (value.includes('"""')) throw new UsageError(`a Modelfile value cannot contain """ (in: ${value.slice(0, 40)})`, "remove the triple quotes from the system prompt (--system)");
  return `"""${value}"""`;
}

export function buildModelfile(input: ModelfileInput): Modelfile {
  const lines = [`# Ollama Modelfile written by testtune model export: ollama create <name> -f Modelfile`, `FROM ./${input.from}`];
  const family = input.chat === undefined ? undefined : templateFamily(input.chat.template);
  let note: string | undefined;
  if (input.chat === undefined) note = "the model has no chat template: no TEMPLATE, Ollama sends prompts as they are";
  else if (family === undefined) note = "the chat template is of no family testtune translates (ChatML, Llama 3, Llama 2): no TEMPLATE, Ollama uses the template it detects from the GGUF's tokenizer.chat_template";
  if (family !== undefined && input.chat !== undefined) {
    lines.push(`TEMPLATE ${quoted(family.template)}`);
    const stops = [...family.stops, ...(input.chat.eosToken === undefined ? [] : [input.chat.eosToken])];
    for (const stop of [...new Set(stops)]) lines.push(`PARAMETER stop ${JSON.stringify(stop)}`);
  }
  const system = input.system ?? (family !== undefined && input.chat !== undefined ? family.defaultSystem(input.chat) : undefined);
  if (system !== undefined && system !== "") lines.push(`SYSTEM ${quoted(system)}`);
  return { text: `${lines.join("\n")}\n`, family: family?.name, note };
}
