import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runConfigSchema } from "../../src/config/run-config.js";
import type { PythonEnv } from "../../src/engine/python-env.js";
import type { Manifest } from "../../src/pipeline/manifest.js";
import type { StageContext } from "../../src/pipeline/context.js";
import { corpusTasks } from "../../src/pipeline/corpus-tasks.js";

/** A function of five lines (the corpus source takes 5-60). */
const fn = (name: string, result: string): string => `def ${name}(w, h):\n    if w < 0:\n        raise ValueError(w)\n    value = ${result}\n    return value\n`;

const corpus = mkdtempSync(join(tmpdir(), "testtune-corpus-"));
writeFileSync(
  join(corpus, "shapes.py"),
  [
    fn("area", "w * h"),
    fn("perimeter", "2 * (w + h)"),
    fn("scale", "w * h * 2"),
    fn("long_one", `${"w + ".repeat(400)}h`),
    `class Box:\n${fn("volume", "w ** 3").replace(/^/gm, "    ").replace("(w, h)", "(self, w, h)")}`,
  ].join("\n"),
);

function context(maxCodeChars = 1200): StageContext {
  const config = runConfigSchema.parse({ seed: 7, selfgen: { corpus, max_code_chars: maxCodeChars } });
  return { runDir: corpus, config, env: {} as PythonEnv, manifest: {} as Manifest, quiet: true, log: () => undefined };
}

test("corpus tasks are module-level functions within the code length limit, a seeded choice, as train tasks", async () => {
  const all = await corpusTasks(context(), 10);
  const names = all.map((t) => t.entry_points[0]).sort();
  assert.deepEqual(names, ["area", "perimeter", "scale"]); // no method, nothing over 1,200 characters
  assert.ok(all.every((t) => t.split === "train" && t.code.includes(`def ${t.entry_points[0]}`)));
  const two = await corpusTasks(context(), 2);
  assert.deepEqual(two.map((t) => t.id), all.slice(0, 2).map((t) => t.id)); // the same seeded order, cut
  assert.deepEqual((await corpusTasks(context(), 2)).map((t) => t.id), two.map((t) => t.id));
});

test("the selfgen section's code length limit applies", async () => {
  assert.deepEqual(await corpusTasks(context(10), 10), []);
});
