import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "../../src/errors.js";
import { runEngineJob } from "../../src/engine/job.js";
import { EngineInterruptedError, EngineJobError } from "../../src/engine/job-errors.js";

/** A valid generate spec; the fake jobs ignore what it says. */
function fakeSpec(): { model: string; input: string; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "testtune-engine-"));
  return { model: join(dir, "model"), input: join(dir, "prompts.jsonl"), output: join(dir, "samples.jsonl") };
}

const fake = (name: string): string => `tests.fixtures.engine.${name}`;

test("a job that refuses its spec (exit 2) says to fix the field, not to run it again as it is", async () => {
  await assert.rejects(runEngineJob("generate", fakeSpec(), { pythonModule: fake("fake_bad_spec"), quiet: true }), (error: unknown) => {
    assert.ok(error instanceof EngineJobError);
    assert.equal(error.exitCode, 2);
    assert.match(error.message, /field 'model': \/nowhere does not exist/);
    assert.match(error.hint ?? "", /^fix the named field or file/);
    return true;
  });
});

test("a failing job throws EngineJobError with its error event, last log lines and a re-run hint", async () => {
  const spec = fakeSpec();
  await assert.rejects(runEngineJob("generate", spec, { pythonModule: fake("fake_fail"), quiet: true }), (error: unknown) => {
    assert.ok(error instanceof EngineJobError);
    assert.equal(error.code, "E_ENGINE");
    assert.equal(error.exitCode, 1);
    assert.deepEqual(error.logLines, ["[info] loading the model", "[warning] step 3: loss is nan"]);
    assert.match(error.message, /failed \(exit 1\): RuntimeError: the fake job broke/);
    assert.match(error.message, /\[warning\] step 3: loss is nan/);
    assert.ok(error.stderrLines.includes("RuntimeError: the fake job broke"));
    assert.match(error.hint ?? "", /-m tests\.fixtures\.engine\.fake_fail generate --spec \S+samples\.jsonl\.spec\.json/);
    return true;
  });
});

test("a line on stdout that is not an event fails the job with an error naming the line", async () => {
  const started = Date.now();
  await assert.rejects(runEngineJob("generate", fakeSpec(), { pythonModule: fake("fake_malformed"), quiet: true }), (error: unknown) => {
    assert.ok(error instanceof EngineJobError);
    assert.match(error.message, /stdout line 2 is not a protocol event .*: Some library banner on stdout/);
    return true;
  });
  // The job sleeps for a minute after the bad line: it must have been stopped, not waited for.
  assert.ok(Date.now() - started < 30_000);
});

test("SIGINT to the CLI is forwarded to the job, which ends as E_ENGINE_INTERRUPTED with its checkpoint", async () => {
  const job = runEngineJob("generate", fakeSpec(), {
    pythonModule: fake("fake_interruptible"),
    quiet: true,
    onEvent: (event) => {
      if (event.event === "log" && event.message === "ready") process.kill(process.pid, "SIGINT");
    },
  });
  await assert.rejects(job, (error: unknown) => {
    assert.ok(error instanceof EngineInterruptedError);
    assert.equal(error.code, "E_ENGINE_INTERRUPTED");
    assert.equal(error.checkpoint, "/tmp/fake/checkpoint-7");
    assert.match(error.hint ?? "", /resume/);
    return true;
  });
  assert.equal(process.listenerCount("SIGINT"), 0);
});

test("a launcher that exits with its own code after an interrupted event still ends as E_ENGINE_INTERRUPTED", async () => {
  const job = runEngineJob("generate", fakeSpec(), { pythonModule: fake("fake_launcher_interrupted"), quiet: true });
  await assert.rejects(job, (error: unknown) => error instanceof EngineInterruptedError && error.checkpoint === "/tmp/fake/checkpoint-5");
});

test("a wrong spec field is a ConfigError naming the field, before anything is written or launched", async () => {
  const spec = fakeSpec();
  const specFile = join(spec.output, "..", "spec.json");
  await assert.rejects(runEngineJob("generate", { ...spec, num_samples: 0 }, { specFile, pythonModule: fake("fake_fail") }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.field, "num_samples");
    return true;
  });
  await assert.rejects(runEngineJob("sft", { base_model: "b", data: "d", output_dir: "o", lora: { rank: 8 } } as never, { specFile }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.field, "lora");
    assert.match(error.message, /rank/);
    return true;
  });
  assert.equal(existsSync(specFile), false);
});

test("metrics events are returned, passed to onEvent and appended to the metrics file", async () => {
  const spec = fakeSpec();
  const metricsFile = join(spec.output, "..", "sft", "metrics.jsonl");
  const seen: string[] = [];
  const result = await runEngineJob("generate", spec, { pythonModule: fake("fake_metrics"), quiet: true, metricsFile, onEvent: (event) => seen.push(event.event) });
  assert.equal(result.exitCode, 0);
  assert.deepEqual(result.artifacts, [{ event: "artifact", kind: "adapter", path: "/tmp/fake/final" }]);
  assert.deepEqual(result.metrics.map((m) => m.loss), [2, 1, 2 / 3]);
  assert.deepEqual(seen, ["progress", "metrics", "progress", "metrics", "progress", "metrics", "artifact"]);
  const lines = readFileSync(metricsFile, "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, number>);
  assert.deepEqual(lines[2], { step: 3, loss: 2 / 3, learning_rate: 1e-4, tokens_per_s: 3000 });
  const written = JSON.parse(readFileSync(result.specFile, "utf8")) as Record<string, unknown>;
  assert.equal(written.version, 1);
  assert.equal(written.job, "generate");
  assert.equal(written.temperature, 0.8);
});
