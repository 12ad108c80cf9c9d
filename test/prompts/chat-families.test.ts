/**
 * The chat templates of the seeds' model families (test/fixtures/chat-templates, copied from
 * each model's published tokenizer_config.json: see the README there): prompts and SFT targets
 * rendered with them, and the pairs the Python SFT test tokenizes (sft-rows.jsonl).
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadChatTemplate, renderChat, type ChatTemplate } from "../../src/prompts/chat-template.js";
import { buildInstruction, buildPrompt, buildTarget } from "../../src/prompts/template.js";
import { extractTestFile } from "../../src/prompts/extract.js";
import type { Task } from "../../src/tasks/schema.js";
import { packageRoot } from "../../src/util/paths.js";

const TEMPLATES = join(packageRoot, "test", "fixtures", "chat-templates");
const FAMILIES = ["codellama-instruct", "deepseek-coder-instruct", "qwen2.5-coder-instruct", "smollm2-instruct"] as const;
const chat = (family: string): ChatTemplate => loadChatTemplate(join(TEMPLATES, family));

const task: Task = {
  id: "humaneval/HumanEval/0",
  source: "humaneval",
  code: "def add(a, b):\n    return a + b\n",
  module: "solution",
  entry_points: ["add"],
  tests: "from solution import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
  metadata: {},
};

const FENCED_TESTS = "```python\nfrom solution import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n```";

test("each family's template starts the prompt as the model was trained to see it", () => {
  const starts: Record<(typeof FAMILIES)[number], string> = {
    // bos is left to the tokenizer (add_bos_token): the template's own <s> would make two.
    "codellama-instruct": "[INST] ### Task: Write pytest tests for solution.py\n",
    "deepseek-coder-instruct": "You are an AI programming assistant, utilizing the Deepseek Coder model, developed by Deepseek Company, and you only answer questions related to computer science. For politically sensitive questions, security and privacy issues, and other non-computer science questions, you will refuse to answer\n### Instruction:\n### Task:",
    "qwen2.5-coder-instruct": "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\n### Task:",
    "smollm2-instruct": "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\n### Task:",
  };
  const ends = { "codellama-instruct": " [/INST]", "deepseek-coder-instruct": "\n### Response:\n", "qwen2.5-coder-instruct": "<|im_start|>assistant\n", "smollm2-instruct": "<|im_start|>assistant\n" };
  for (const family of FAMILIES) {
    const prompt = buildPrompt(task, { chat: chat(family) });
    assert.ok(prompt.startsWith(starts[family]), `${family}: ${JSON.stringify(prompt.slice(0, 120))}`);
    assert.ok(prompt.endsWith(ends[family]), `${family}: ${JSON.stringify(prompt.slice(-40))}`);
  }
});

test("the target is the answer and the template's end-of-turn token, nothing after it", () => {
  const fenced = FENCED_TESTS;
  const expected = {
    "codellama-instruct": ` ${fenced} </s>`,
    "deepseek-coder-instruct": `${fenced}\n<|EOT|>`,
    "qwen2.5-coder-instruct": `${fenced}<|im_end|>`,
    "smollm2-instruct": `${fenced}<|im_end|>`,
  };
  for (const family of FAMILIES) {
    const template = chat(family);
    const target = buildTarget(task, { chat: template });
    assert.equal(target, expected[family], family);
    assert.ok(target.endsWith(template.eosToken ?? "?"), `${family} ends with its eos ${template.eosToken}`);
    // What the model generates before its eos (generation stops there) is a test file extract.ts finds.
    assert.equal(extractTestFile(target.slice(0, target.length - (template.eosToken ?? "").length)).tests, task.tests, family);
  }
});

test("prompt plus target is the template's own rendering of the conversation (less bos and the last separator)", () => {
  for (const family of FAMILIES) {
    const template = chat(family);
    const system = "Write pytest files.";
    const prompt = buildPrompt(task, { chat: template, system });
    const target = buildTarget(task, { chat: template, system });
    assert.ok(prompt.includes(system), `${family} renders the system message`);
    const messages = [{ role: "system", content: system }, { role: "user", content: buildInstruction(task) }, { role: "assistant", content: FENCED_TESTS }];
    const whole = renderChat(template, messages, { addGenerationPrompt: false });
    const bos = template.addsBos === true ? (template.bosToken ?? "") : "";
    assert.equal(bos + prompt + target, whole.trimEnd(), family);
  }
});

test("tokenizers that add bos themselves are recognised; the others keep the template's text", () => {
  assert.equal(chat("codellama-instruct").addsBos, true);
  assert.equal(chat("deepseek-coder-instruct").addsBos, true);
  assert.equal(chat("qwen2.5-coder-instruct").addsBos, false);
  assert.equal(chat("smollm2-instruct").addsBos, false);
});

test("Llama-2's template refuses a conversation that does not alternate, as a ConfigError naming the template", () => {
  const template = chat("codellama-instruct");
  assert.throws(
    () => renderChat(template, [{ role: "user", content: "a" }, { role: "user", content: "b" }], { addGenerationPrompt: true }),
    (e: unknown) => e instanceof Error && /codellama-instruct.*tokenizer_config\.json/.test(e.message) && /roles must alternate/.test(e.message),
  );
});

test("a template whose prompt is not the start of the answered conversation is refused for training", () => {
  const odd = { template: "{% for m in messages %}{{ m['role'] }}:{{ m['content'] }};{% endfor %}{% if add_generation_prompt %}ASSISTANT?{% endif %}", file: "odd/tokenizer_config.json" };
  assert.throws(() => buildTarget(task, { chat: odd }), (e: unknown) => e instanceof Error && /odd\/tokenizer_config\.json/.test(e.message) && /answer cannot be cut out/.test(e.message));
});

/** The pairs python/tests/test_engine_chat_sft.py tokenizes: kept in step with the renderer here. */
test("sft-rows.jsonl holds the current rendering of every family", () => {
  const rows = FAMILIES.flatMap((family) =>
    [undefined, "Write pytest files."].map((system) => ({ family, system: system ?? null, prompt: buildPrompt(task, { chat: chat(family), system }), completion: buildTarget(task, { chat: chat(family), system }) })),
  );
  const file = join(TEMPLATES, "sft-rows.jsonl");
  const text = rows.map((row) => JSON.stringify(row)).join("\n") + "\n";
  if (process.env.TESTTUNE_UPDATE_FIXTURES === "1") writeFileSync(file, text);
  assert.equal(readFileSync(file, "utf8"), text, "re-render with TESTTUNE_UPDATE_FIXTURES=1 node --test dist/test/prompts/chat-families.test.js");
});
