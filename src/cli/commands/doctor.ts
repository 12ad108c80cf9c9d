import { cpus, freemem, totalmem } from "node:os";
import { readEnvInfo, type EnvInfo } from "../../engine/env-info.js";
import { envDir, readyPythonEnv } from "../../engine/python-env.js";
import { checkBubblewrap } from "../../sandbox/bubblewrap-check.js";
import type { Command } from "../command.js";

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
  /** Optional components (GPU, bitsandbytes) do not make doctor fail. */
  optional?: boolean;
}

/** Libraries whose absence is fine: what each is for, and how to get it. */
const OPTIONAL_LIBRARIES: Record<string, { use: string; fix: string }> = {
  bitsandbytes: { use: "only for 4-bit QLoRA on CUDA", fix: "testtune setup --extras gpu" },
  deepspeed: { use: "only for the DeepSpeed ZeRO configs on GPUs", fix: "pip install deepspeed into the environment on a GPU machine (docs/training.md)" },
  vllm: { use: "only for vLLM sampling on CUDA", fix: "testtune setup --extras vllm (CUDA only)" },
};

/** Which torch.distributed backends `testtune train --processes/--gpus` can use here. */
export function distributedCheck(info: EnvInfo): Check {
  const backends = info.distributed;
  if (backends === undefined) return { name: "distributed", ok: false, optional: true, detail: "unknown (env_info reports no backends)", fix: "testtune setup" };
  const cuda = info.torch.cuda === true;
  const listed = (["gloo", "nccl", "mpi"] as const).map((name) => `${name} ${backends[name] ? (name === "nccl" && !cuda ? "yes (no CUDA device to use it)" : "yes") : "no"}`).join(", ");
  const cpu = backends.gloo ? "--processes N (CPU, gloo)" : "no CPU processes (gloo missing)";
  const gpu = backends.nccl && cuda ? `, --gpus N (nccl, ${(info.torch.devices ?? []).length} GPU)` : "";
  return { name: "distributed", ok: backends.gloo, optional: true, detail: `${listed}; ${cpu}${gpu}`, fix: "a torch build with torch.distributed (testtune setup)" };
}

async function pythonChecks(): Promise<Check[]> {
  const env = readyPythonEnv();
  if (env === undefined) {
    return [{ name: "python env", ok: false, detail: `not set up (expected in ${envDir()})`, fix: "testtune setup" }];
  }
  const checks: Check[] = [];
  try {
    const info = await readEnvInfo(env);
    checks.push({ name: "python", ok: true, detail: `${info.python} (${info.executable})` });
    for (const [name, lib] of Object.entries(info.libraries)) {
      const optional = OPTIONAL_LIBRARIES[name];
      checks.push({
        name,
        ok: lib.version !== null,
        optional: optional !== undefined,
        detail: lib.version ?? (optional !== undefined ? `not installed (${optional.use})` : (lib.error ?? "missing")),
        fix: optional?.fix ?? "testtune setup",
      });
    }
    checks.push(distributedCheck(info));
    const t = info.torch;
    const device = t.cuda === true ? `cuda ${t.cuda_version ?? ""}: ${(t.devices ?? []).join(", ")}${t.bf16 === true ? " (bf16)" : ""}` : `cpu (${t.threads ?? "?"} threads)`;
    checks.push({ name: "torch device", ok: t.available, detail: t.available ? device : (t.error ?? "torch unavailable"), fix: "testtune setup" });
  } catch (error) {
    checks.push({ name: "python env", ok: false, detail: (error as Error).message, fix: "testtune setup" });
  }
  return checks;
}

export const doctorCommand: Command = {
  name: "doctor",
  summary: "Check Node, Python, torch and its device, transformers/PEFT/TRL, bubblewrap, cores and memory.",
  flags: [{ name: "json", type: "boolean", description: "print the checks as JSON" }],
  async run(args) {
    const major = Number(process.versions.node.split(".")[0]);
    const checks: Check[] = [{ name: "node", ok: major >= 20, detail: process.versions.node, fix: "install Node.js 20 or newer" }];
    checks.push(...(await pythonChecks()));
    const bwrap = await checkBubblewrap();
    checks.push({ name: "bubblewrap", ok: bwrap.ok, detail: bwrap.ok ? `${bwrap.version ?? ""} (namespaces work)` : (bwrap.problem ?? ""), fix: bwrap.fix });
    checks.push({ name: "cores", ok: true, detail: String(cpus().length) });
    checks.push({ name: "memory", ok: true, detail: `${(totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(freemem() / 2 ** 30).toFixed(1)} GiB free` });
    const failed = checks.filter((c) => !c.ok && c.optional !== true);
    if (args.flags.json === true) {
      process.stdout.write(`${JSON.stringify({ ok: failed.length === 0, checks }, null, 2)}\n`);
    } else {
      const width = Math.max(...checks.map((c) => c.name.length));
      for (const c of checks) {
        const mark = c.ok ? "ok  " : c.optional === true ? "--  " : "FAIL";
        process.stdout.write(`${mark} ${c.name.padEnd(width)}  ${c.detail}${!c.ok && c.fix !== undefined ? `\n     ${"".padEnd(width)}  fix: ${c.fix}` : ""}\n`);
      }
      process.stdout.write(failed.length === 0 ? "\nAll required checks passed.\n" : `\n${failed.length} check(s) failed.\n`);
    }
    return failed.length === 0 ? 0 : 1;
  },
};
