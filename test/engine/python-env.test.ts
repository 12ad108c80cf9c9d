import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { PYTHON_EXTRAS, setupPythonEnv, UNLOCKED_EXTRAS } from "../../src/engine/python-env.js";
import { EnvError, UsageError } from "../../src/errors.js";
import { pythonDir } from "../../src/util/paths.js";

test("an unknown extra is refused before anything is installed, naming the ones that exist", async () => {
  await assert.rejects(setupPythonEnv({ extras: ["gpu", "gguf"] }), (e: unknown) => e instanceof UsageError && /'gguf'/.test(e.message) && /gpu/.test(e.hint ?? ""));
});

test("the known extras are exactly the optional dependency groups of pyproject.toml", () => {
  const toml = readFileSync(join(pythonDir, "pyproject.toml"), "utf8");
  const section = toml.split("[project.optional-dependencies]")[1]?.split(/^\[/m)[0] ?? "";
  const groups = [...section.matchAll(/^([A-Za-z0-9_-]+)\s*=/gm)].map((m) => m[1]);
  assert.deepEqual(groups, [...PYTHON_EXTRAS]);
});

test("the vllm extra is refused on a machine without CUDA, saying why and what works without it", async () => {
  let asked = 0;
  const noCuda = async (): Promise<boolean> => {
    asked += 1;
    return false;
  };
  await assert.rejects(
    setupPythonEnv({ extras: ["vllm"], hasCuda: noCuda }),
    (e: unknown) => e instanceof EnvError && /needs a CUDA GPU/.test(e.message) && /backend: engine/.test(e.hint ?? "") && /use_vllm: false/.test(e.hint ?? ""),
  );
  assert.equal(asked, 1);
});

test("vllm is not a locked extra: locking it would move everyone's torch (docs/training.md)", () => {
  assert.ok(UNLOCKED_EXTRAS.vllm?.needsCuda);
  assert.ok(!PYTHON_EXTRAS.includes("vllm"));
  assert.doesNotMatch(readFileSync(join(pythonDir, "uv.lock"), "utf8"), /name = "vllm"/);
});
