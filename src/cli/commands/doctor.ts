import { cpus, freemem, totalmem } from "node:os";
import { readEnvInfo } from "../../engine/env-info.js";
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
      const optional = name === "bitsandbytes";
      checks.push({
        name,
        ok: lib.version !== null,
        optional,
        detail: lib.version ?? (optional ? "not installed (only for 4-bit QLoRA on CUDA)" : (lib.error ?? "missing")),
        fix: optional ? "testtune setup --extras gpu" : "testtune setup",
      });
    }
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
