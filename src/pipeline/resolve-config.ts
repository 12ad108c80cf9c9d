/**
 * Resolves a run's config from its layers: schema defaults < preset < config file < --set
 * overrides < --stages. Each layer is validated on its own first, so an error names the layer
 * (the file, the preset or the flag) that holds the wrong field.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { applyOverrides, loadConfigFile, validate } from "../config/load.js";
import { deepMerge } from "../config/merge.js";
import { loadPreset, presetFile } from "../config/presets.js";
import { runConfigSchema, STAGES, STAGES_HELP, type RunConfig, type Stage } from "../config/run-config.js";
import { ConfigError } from "../errors.js";

const RUN_CONFIG_DOCS = "'testtune config schema' lists every field with its type and default";

export interface ConfigLayers {
  preset?: string;
  file?: string;
  set?: string[];
  stages?: string[];
}

export function resolveRunConfig(layers: ConfigLayers): RunConfig {
  let merged: Record<string, unknown> = {};
  if (layers.preset !== undefined) {
    const preset = loadPreset(layers.preset);
    validate(runConfigSchema, preset, presetFile(layers.preset), RUN_CONFIG_DOCS);
    merged = deepMerge(merged, preset);
  }
  if (layers.file !== undefined) {
    loadConfigFile(runConfigSchema, layers.file, RUN_CONFIG_DOCS);
    merged = deepMerge(merged, (parseYaml(readFileSync(layers.file, "utf8")) ?? {}) as Record<string, unknown>);
  }
  if (layers.set !== undefined && layers.set.length > 0) {
    merged = applyOverrides(merged, layers.set);
    validate(runConfigSchema, merged, "--set", RUN_CONFIG_DOCS);
  }
  if (layers.stages !== undefined) {
    const unknown = layers.stages.filter((s) => !(STAGES as readonly string[]).includes(s));
    if (unknown.length > 0) throw new ConfigError("--stages", unknown.join(","), `unknown stage(s)`, { hint: `stages are: ${STAGES_HELP}` });
    merged.stages = layers.stages as Stage[];
  }
  return validate(runConfigSchema, merged, "config", RUN_CONFIG_DOCS);
}

/**
 * Writes config.yaml into the run directory, or, when the directory already has one, checks
 * that the run being resumed is the same run (everything but the stage list must match).
 */
export function pinRunConfig(runDir: string, config: RunConfig): void {
  const file = join(runDir, "config.yaml");
  if (existsSync(file)) {
    const previous = validate(runConfigSchema, parseYaml(readFileSync(file, "utf8")), file, RUN_CONFIG_DOCS);
    const strip = (c: RunConfig): string => JSON.stringify({ ...c, stages: [] });
    if (strip(previous) !== strip(config)) {
      throw new ConfigError(file, "", "this run directory was made with a different config, so its finished stages do not match the new one", {
        hint: `use a new --out directory, or run with the config in ${file}`,
      });
    }
  }
  writeFileSync(file, `# Resolved config of this run (defaults, preset, file and overrides merged).\n${stringifyYaml(config)}`);
}
