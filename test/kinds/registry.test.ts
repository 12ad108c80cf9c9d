import assert from "node:assert/strict";
import { test } from "node:test";
import { buildPrompt, buildTarget } from "../../src/prompts/template.js";
import { kindName, kindOf } from "../../src/kinds/index.js";
import { kindPrompt, kindTarget } from "../../src/kinds/prompt.js";
import { DataError } from "../../src/errors.js";
import { taskSchema, type Task } from "../../src/tasks/schema.js";

const task: Task = taskSchema.parse({
  id: "tinytests/t1-000000",
  source: "tinytests",
  code: "def add(a, b):\n    return a + b\n",
  entry_points: ["add"],
  tests: "from solution import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
});

const CHATML =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

test("a task without kind is a unit_test task, and its prompt and target are the tests-only template's", () => {
  assert.equal(kindName(task), "unit_test");
  assert.equal(kindOf(task).name, "unit_test");
  assert.equal(kindPrompt(task), buildPrompt(task));
  assert.equal(kindTarget(task), buildTarget(task));
  const chat = { template: CHATML, eosToken: "<|im_end|>" };
  assert.equal(kindPrompt(task, { chat, system: "S" }), buildPrompt(task, { chat, system: "S" }));
  assert.equal(kindTarget(task, { chat }), buildTarget(task, { chat }));
  assert.equal(kindTarget({ ...task, tests: undefined }), undefined);
});

test("the schema rejects an unknown kind and keeps given and answer", () => {
  assert.throws(() => taskSchema.parse({ ...task, kind: "poem" }));
  const t = taskSchema.parse({ ...task, kind: "bugfix", given: "def add(a, b):\n    return a - b\n", answer: "x" });
  assert.equal(t.kind, "bugfix");
  assert.equal(t.given, "def add(a, b):\n    return a - b\n");
});

test("the unit_test extractor is extract.ts's: the fenced test file with the module import added", () => {
  const answer = kindOf(task).extract("```python\ndef test_a():\n    assert add(1, 1) == 2\n```", task);
  assert.equal(answer, "from solution import add\ndef test_a():\n    assert add(1, 1) == 2\n");
});

test("a kind no definition registers is a data error naming the task", () => {
  assert.throws(() => kindOf({ id: "x/1", kind: "poem" as never }), (e: unknown) => e instanceof DataError && /x\/1/.test(e.message) && /poem/.test(e.message));
});
