import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import type { RunConfig } from "../../src/config/run-config.js";
import { pythonEnv } from "../../src/engine/python-env.js";
import { TesttuneError } from "../../src/errors.js";
import type { Manifest } from "../../src/pipeline/manifest.js";
import { runPipeline } from "../../src/pipeline/runner.js";
import type { StageStatus } from "../../src/pipeline/stage-status.js";

test("a stage resumed after an interruption and a failure reports every attempt's time, in status.json and the manifest", async () => {
  const env = await pythonEnv({ quiet: true });
  const config = { name: "attempts", seed: 1, stages: ["data"], model: {} } as unknown as RunConfig;
  const runDir = mkdtempSync(join(tmpdir(), "testtune-attempts-"));
  const endings = [new TesttuneError("E_ENGINE_INTERRUPTED", "interrupted on purpose"), new Error("failed on purpose"), undefined];
  const data = async (): Promise<Record<string, unknown>> => {
    await sleep(60);
    const ending = endings.shift();
    if (ending !== undefined) throw ending;
    return { rows: 1 };
  };
  const options = { runDir, config, env, stages: { data }, quiet: true, log: () => undefined };
  const status = (): StageStatus => JSON.parse(readFileSync(join(runDir, "data", "status.json"), "utf8")) as StageStatus;

  await assert.rejects(runPipeline(options), /interrupted on purpose/);
  assert.equal(status().status, "interrupted");
  assert.equal(status().attempts, 1);
  const first = status().duration_s as number;
  assert.ok(first >= 0.06, `first attempt ${first} s`);

  await assert.rejects(runPipeline(options), /failed on purpose/);
  assert.equal(status().status, "failed");
  assert.equal(status().attempts, 2);
  assert.ok((status().duration_s as number) >= first + 0.06);

  const result = await runPipeline(options);
  const done = status();
  assert.equal(done.status, "complete");
  assert.equal(done.attempts, 3);
  assert.ok((done.duration_s as number) >= 0.18, `three attempts of at least 60 ms: ${done.duration_s} s`);
  assert.equal(result.durations.data, done.duration_s);
  const manifest = JSON.parse(readFileSync(join(runDir, "manifest.json"), "utf8")) as Manifest;
  assert.deepEqual({ attempts: manifest.stages.data?.attempts, duration_s: manifest.stages.data?.duration_s }, { attempts: 3, duration_s: done.duration_s });

  // Complete now: a fourth run skips it and changes nothing.
  const again = await runPipeline(options);
  assert.deepEqual(again.skipped, ["data"]);
  assert.deepEqual(status(), done);
});
