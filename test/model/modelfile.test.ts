import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { isTesttuneError } from "../../src/errors.js";
import { buildModelfile, templateFamily } from "../../src/model/modelfile.js";

const fixtures = join(fileURLToPath(import.meta.url), "..", "..", "..", "..", "test", "model", "fixtures");
const smollm2 = { template: readFileSync(join(fixtures, "smollm2.jinja"), "utf8"), eosToken: "<|im_end|>" };
const llama3 = {
  template:
    "{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}",
  bosToken: "<|begin_of_text|>",
  eosToken: "<|eot_id|>",
};
const llama2 = {
  template:
    "{% for message in messages %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] + ' ' + eos_token }}{% endif %}{% endfor %}",
  bosToken: "<s>",
  eosToken: "</s>",
};

test("SmolLM2's ChatML template becomes Ollama's ChatML form, with its stops and its injected default system prompt", () => {
  const modelfile = buildModelfile({ from: "smollm2-f16.gguf", chat: smollm2 });
  assert.equal(modelfile.family, "chatml");
  assert.equal(modelfile.note, undefined);
  const text = modelfile.text;
  assert.match(text, /^FROM \.\/smollm2-f16\.gguf$/m);
  assert.match(text, /TEMPLATE """\{\{- range \.Messages \}\}<\|im_start\|>\{\{ \.Role \}\}\n\{\{ \.Content \}\}<\|im_end\|>\n\{\{ end \}\}<\|im_start\|>assistant\n"""/);
  assert.deepEqual(text.match(/^PARAMETER stop .*$/gm), ['PARAMETER stop "<|im_end|>"', 'PARAMETER stop "<|im_start|>"']);
  assert.match(text, /^SYSTEM """You are a helpful AI assistant named SmolLM, trained by Hugging Face"""$/m);
});

test("the run's system prompt replaces the template's default", () => {
  const text = buildModelfile({ from: "m.gguf", chat: smollm2, system: "You write pytest tests." }).text;
  assert.match(text, /^SYSTEM """You write pytest tests\."""$/m);
  assert.doesNotMatch(text, /SmolLM/);
});

test("Llama 3 and Llama 2 templates are recognised by their markers, with their own stops", () => {
  const three = buildModelfile({ from: "m.gguf", chat: llama3 });
  assert.equal(three.family, "llama3");
  assert.match(three.text, /<\|start_header_id\|>\{\{ \.Role \}\}<\|end_header_id\|>/);
  assert.ok(three.text.includes('PARAMETER stop "<|eot_id|>"'));
  assert.doesNotMatch(three.text, /^SYSTEM/m);
  const two = buildModelfile({ from: "m.gguf", chat: llama2 });
  assert.equal(two.family, "llama2");
  assert.match(two.text, /\[INST\] .*<<SYS>>/s);
  assert.deepEqual(two.text.match(/^PARAMETER stop .*$/gm), ['PARAMETER stop "[INST]"', 'PARAMETER stop "[/INST]"', 'PARAMETER stop "<<SYS>>"', 'PARAMETER stop "<</SYS>>"', 'PARAMETER stop "</s>"']);
});

test("a template of no known family, or none at all, gives a Modelfile without TEMPLATE and says why", () => {
  const other = buildModelfile({ from: "m.gguf", chat: { template: "{% for m in messages %}### {{ m['role'] }}: {{ m['content'] }}\n{% endfor %}" } });
  assert.equal(other.family, undefined);
  assert.match(other.note ?? "", /no family testtune translates/);
  assert.doesNotMatch(other.text, /TEMPLATE|PARAMETER/);
  assert.match(other.text, /^FROM \.\/m\.gguf$/m);
  const none = buildModelfile({ from: "m.gguf", chat: undefined });
  assert.match(none.note ?? "", /no chat template/);
  assert.equal(templateFamily("plain text"), undefined);
});

test("a system prompt holding triple quotes is a usage error, not a broken Modelfile", () => {
  assert.throws(() => buildModelfile({ from: "m.gguf", chat: smollm2, system: 'say """hi"""' }), (error: unknown) => isTesttuneError(error) && error.code === "E_USAGE");
});
