import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../../src/errors.js";
import { trainLauncher } from "../../src/train/run-train.js";

const noGpu = async (): Promise<number> => 0;
const twoGpus = async (): Promise<number> => 2;
const configFile = "configs/accelerate/fsdp.yaml";

test("--processes N runs N CPU processes through accelerate; 1 or nothing runs the job directly", async () => {
  assert.deepEqual(await trainLauncher({ processes: 2 }, noGpu), { kind: "accelerate", processes: 2, device: "cpu" });
  assert.equal(await trainLauncher({ processes: 1 }, noGpu), undefined);
  assert.equal(await trainLauncher({}, noGpu), undefined);
});

test("--gpus N on a machine without CUDA is refused, pointing to --processes", async () => {
  await assert.rejects(trainLauncher({ gpus: 2 }, noGpu), (e: unknown) => e instanceof UsageError && /no CUDA device/.test(e.message) && /--processes 2/.test(e.hint ?? ""));
  await assert.rejects(trainLauncher({ gpus: 4 }, twoGpus), (e: unknown) => e instanceof UsageError && /has 2 CUDA device/.test(e.message));
  // One GPU runs the job directly, but only where there is one: before, it trained on the CPU.
  await assert.rejects(trainLauncher({ gpus: 1 }, noGpu), (e: unknown) => e instanceof UsageError && /--gpus 1: this machine has no CUDA device/.test(e.message));
  assert.equal(await trainLauncher({ gpus: 1 }, twoGpus), undefined);
  assert.deepEqual(await trainLauncher({ gpus: 2, accelerateConfig: configFile }, twoGpus), {
    kind: "accelerate",
    processes: 2,
    device: "gpu",
    configFile: (await import("node:path")).resolve(configFile),
  });
});

test("wrong combinations and values are usage errors naming the flag", async () => {
  await assert.rejects(trainLauncher({ processes: 2, gpus: 2 }, twoGpus), /exclude each other/);
  await assert.rejects(trainLauncher({ processes: 0 }, noGpu), /--processes must be a positive integer/);
  await assert.rejects(trainLauncher({ gpus: 1.5 }, twoGpus), /--gpus must be a positive integer/);
  await assert.rejects(trainLauncher({ processes: 2, accelerateConfig: configFile }, noGpu), /use it with --gpus/);
  await assert.rejects(trainLauncher({ gpus: 2, accelerateConfig: "configs/accelerate/nope.yaml" }, twoGpus), /nope\.yaml does not exist/);
});
