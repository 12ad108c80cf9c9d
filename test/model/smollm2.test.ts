/**
 * The real SmolLM2-135M-Instruct, only where it is already in testtune's cache (`testtune model
 * pull smollm2-135m-instruct`): the suite never downloads the 93 MB wheel or spends the minutes
 * of its import by itself.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cacheDir } from "../../src/engine/python-env.js";
import { checkAgainstLlamaCpp, readReference } from "../../src/model/agreement.js";
import { importFiles } from "../../src/model/import.js";
import { modelsDir, pullModel } from "../../src/model/pull.js";
import { KNOWN_MODELS } from "../../src/model/registry.js";

const known = KNOWN_MODELS["smollm2-135m-instruct"]!;
const gguf = join(cacheDir(), "packages", `${known.package.name}-${known.package.version}`, known.gguf);
const imported = join(modelsDir(), known.name);
const cached = existsSync(gguf) && existsSync(importFiles(imported).reference);

test("the cached SmolLM2 resolves at once and its Q4_1 file agrees with the imported fp32 model", { skip: cached ? false : "SmolLM2 is not in testtune's cache (testtune model pull smollm2-135m-instruct)" }, async () => {
  const pulled = await pullModel(known.name, { quiet: true });
  assert.deepEqual([pulled.cached, pulled.provenance.parameters], [true, 134_515_008]);
  const report = await checkAgainstLlamaCpp(gguf, readReference(importFiles(imported).reference), { threads: 1 });
  // Measured: 23/24 next tokens, 24/24 tokenizations (docs/models.md); a Q4 file need not match exactly.
  assert.ok(report.next_token.same >= 22, JSON.stringify(report.next_token));
  assert.equal(report.tokenization_same, 24);
});
