/** Presets are partial run configs shipped in configs/presets/<name>.yaml. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../errors.js";
import { configsDir } from "../util/paths.js";

const presetsDir = join(configsDir, "presets");

export function listPresets(): string[] {
  return readdirSync(presetsDir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** The raw (unvalidated) preset; validation happens once the layers are merged. */
export function loadPreset(name: string): Record<string, unknown> {
  const file = join(presetsDir, `${name}.yaml`);
  if (!existsSync(file)) {
    throw new ConfigError("--preset", "", `no preset named '${name}'`, { hint: `available presets: ${listPresets().join(", ")}` });
  }
  return (parseYaml(readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>;
}

export function presetFile(name: string): string {
  return join(presetsDir, `${name}.yaml`);
}
