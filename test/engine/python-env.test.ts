import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { PYTHON_EXTRAS, setupPythonEnv } from "../../src/engine/python-env.js";
import { UsageError } from "../../src/errors.js";
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
