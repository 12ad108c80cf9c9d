import assert from "node:assert/strict";
import { test } from "node:test";
import { engineCommand, shellLine } from "../../src/engine/command.js";
import { LineSplitter, parseEventLine } from "../../src/engine/events.js";

test("each protocol event parses", () => {
  assert.deepEqual(parseEventLine('{"event": "progress", "step": 2, "total": 10, "unit": "step"}'), { event: "progress", step: 2, total: 10, unit: "step" });
  assert.deepEqual(parseEventLine('{"event": "metrics", "step": 5, "loss": 1.5, "grad_norm": null}'), { event: "metrics", step: 5, loss: 1.5, grad_norm: null });
  assert.equal(parseEventLine('{"event": "log", "level": "warning", "message": "m"}').event, "log");
  assert.equal(parseEventLine('{"event": "artifact", "kind": "model", "path": "/m"}').event, "artifact");
  assert.equal(parseEventLine('{"event": "error", "message": "m", "type": "spec"}').event, "error");
  assert.deepEqual(parseEventLine('{"event": "interrupted", "checkpoint": null}'), { event: "interrupted", checkpoint: null });
});

test("a malformed line says what is wrong with it", () => {
  assert.throws(() => parseEventLine("Downloading..."), /not JSON/);
  assert.throws(() => parseEventLine('{"event": "progres", "step": 1}'), /not a valid event: event/);
  assert.throws(() => parseEventLine('{"event": "metrics", "step": 1, "loss": "low"}'), /not a valid event: loss/);
  assert.throws(() => parseEventLine('{"event": "progress", "step": -1, "total": null, "unit": "step"}'), /not a valid event: step/);
  assert.throws(() => parseEventLine("[1, 2]"), /not a valid event/);
});

test("lines split across chunks are joined, and the unterminated rest comes out at the end", () => {
  const lines = new LineSplitter();
  assert.deepEqual(lines.push('{"a"'), []);
  assert.deepEqual(lines.push(': 1}\n{"b": 2}\n{"c"'), ['{"a": 1}', '{"b": 2}']);
  assert.deepEqual(lines.flush(), ['{"c"']);
  assert.deepEqual(lines.flush(), []);
});

test("the command runs the module directly, or through accelerate or torchrun with the same interpreter", () => {
  assert.deepEqual(engineCommand("/py", "testtune_engine", "sft", "/s.json"), { command: "/py", args: ["-m", "testtune_engine", "sft", "--spec", "/s.json"], env: {} });
  assert.deepEqual(engineCommand("/py", "testtune_engine", "sft", "/s.json", { kind: "accelerate", processes: 4, args: ["--mixed_precision", "bf16"] }).args, [
    "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "4", "--mixed_precision", "bf16", "-m", "testtune_engine", "sft", "--spec", "/s.json",
  ]);
  assert.deepEqual(engineCommand("/py", "testtune_engine", "sft", "/s.json", { kind: "torchrun", processes: 2 }).args.slice(0, 4), ["-m", "torch.distributed.run", "--nproc_per_node", "2"]);
});

test("CPU processes are asked for through ACCELERATE_USE_CPU; an accelerate config file replaces --multi_gpu", () => {
  const cpu = engineCommand("/py", "testtune_engine", "ppo", "/s.json", { kind: "accelerate", processes: 2, device: "cpu" });
  assert.equal(cpu.env.ACCELERATE_USE_CPU, "true");
  assert.ok(Number(cpu.env.TORCH_ELASTIC_SHUTDOWN_TIMEOUT) >= 30, "the processes get time to save a checkpoint after Ctrl-C");
  const fsdp = engineCommand("/py", "testtune_engine", "sft", "/s.json", { kind: "accelerate", processes: 8, configFile: "/c/fsdp.yaml" });
  assert.deepEqual(fsdp.args.slice(0, 6), ["-m", "accelerate.commands.launch", "--config_file", "/c/fsdp.yaml", "--num_processes", "8"]);
  assert.equal(fsdp.env.ACCELERATE_USE_CPU, undefined);
});

test("the re-run line quotes what a shell would split", () => {
  assert.equal(shellLine("/py", ["-m", "x", "--spec", "/my runs/it's.json"], { PYTHONPATH: "/p" }), `PYTHONPATH=/p /py -m x --spec '/my runs/it'\\''s.json'`);
});
