import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadChatTemplate, renderChat } from "../../src/prompts/chat-template.js";
import { buildPrompt, buildTarget } from "../../src/prompts/template.js";
import { ConfigError } from "../../src/errors.js";
import type { Task } from "../../src/tasks/schema.js";

const task: Task = {
  id: "tinytests/t1-000000",
  source: "tinytests",
  code: "def add(a, b):\n    return a + b\n",
  module: "solution",
  entry_points: ["add"],
  tests: "from solution import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
  metadata: {},
};

const CHATML =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

test("the tests-only prompt shows the module and code, and ends at the Tests header", () => {
  const prompt = buildPrompt(task);
  assert.ok(prompt.startsWith("### Task: Write pytest tests for solution.py\n"));
  assert.ok(prompt.includes("```python\ndef add(a, b):\n    return a + b\n```\n"));
  assert.ok(prompt.includes("no hypothesis, no unittest"));
  assert.ok(prompt.endsWith("\n### Tests\n"));
});

test("the plain target is the raw reference file, with a final newline added when missing", () => {
  assert.equal(buildTarget(task), task.tests);
  assert.equal(buildTarget({ ...task, tests: "def test_x():\n    assert True" }), "def test_x():\n    assert True\n");
  assert.throws(() => buildTarget({ ...task, tests: undefined }), /no reference tests/);
});

test("with a chat template the prompt is a rendered user turn and the target one fenced block", () => {
  const chat = { template: CHATML, eosToken: "<|im_end|>" };
  const prompt = buildPrompt(task, { chat, system: "Be brief." });
  assert.ok(prompt.startsWith("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n### Task: Write pytest tests"));
  assert.ok(prompt.endsWith("<|im_end|>\n<|im_start|>assistant\n"));
  assert.ok(!prompt.includes("### Tests\n"));
  assert.equal(buildTarget(task, { chat }), `\`\`\`python\n${task.tests}\`\`\`<|im_end|>`);
});

function modelDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "testtune-chat-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test("the chat template is read from tokenizer_config.json, with special tokens as strings or objects", () => {
  const dir = modelDir({
    "tokenizer_config.json": JSON.stringify({ chat_template: "{{ bos_token }}{{ messages[0]['content'] }}{{ eos_token }}", bos_token: { content: "<s>" }, eos_token: "</s>" }),
  });
  const chat = loadChatTemplate(dir);
  assert.equal(renderChat(chat, [{ role: "user", content: "hi" }], { addGenerationPrompt: false }), "<s>hi</s>");
  assert.equal(loadChatTemplate(join(dir, "tokenizer_config.json")).template, chat.template);
});

test("a list of named templates uses 'default', and chat_template.jinja wins over the config", () => {
  const listed = modelDir({ "tokenizer_config.json": JSON.stringify({ chat_template: [{ name: "tool_use", template: "T" }, { name: "default", template: "D" }] }) });
  assert.equal(loadChatTemplate(listed).template, "D");
  const both = modelDir({ "tokenizer_config.json": JSON.stringify({ chat_template: "old" }), "chat_template.jinja": "new" });
  assert.equal(loadChatTemplate(both).template, "new");
});

test("a tokenizer without a chat template, or a broken template, is a ConfigError naming the file", () => {
  const base = modelDir({ "tokenizer_config.json": JSON.stringify({ eos_token: "</s>" }) });
  assert.throws(() => loadChatTemplate(base), (e: unknown) => e instanceof ConfigError && e.message.includes("tokenizer_config.json") && /no chat template/.test(e.message));
  const broken = modelDir({ "tokenizer_config.json": JSON.stringify({ chat_template: "{% for m in messages %}" }) });
  assert.throws(() => buildPrompt(task, { chat: loadChatTemplate(broken) }), (e: unknown) => e instanceof ConfigError && /chat_template/.test(e.message));
  assert.throws(() => loadChatTemplate(join(base, "missing")), ConfigError);
});
