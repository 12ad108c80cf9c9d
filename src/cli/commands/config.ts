import { stringify as stringifyYaml } from "yaml";
import { describeSchema, formatFieldDocs } from "../../config/describe.js";
import { runConfigSchema } from "../../config/run-config.js";
import { resolveRunConfig } from "../../pipeline/resolve-config.js";
import { flag, type Command } from "../command.js";

const schemaCommand: Command = {
  name: "schema",
  summary: "List every field of the run config with its type, default and what it changes.",
  flags: [{ name: "json", type: "boolean", description: "print as JSON" }],
  async run(args) {
    const fields = describeSchema(runConfigSchema);
    process.stdout.write(flag.bool(args, "json") ? `${JSON.stringify(fields, null, 2)}\n` : `${formatFieldDocs(fields)}\n`);
  },
};

const showCommand: Command = {
  name: "show",
  summary: "Print the resolved run config (defaults, preset, file and overrides merged) as YAML.",
  flags: [
    { name: "preset", type: "string", value: "<name>", description: "a shipped preset", default: "smoke" },
    { name: "config", type: "string", value: "<file.yaml>", description: "a config file merged over the preset" },
    { name: "set", type: "list", value: "<key=value,...>", description: "override fields" },
  ],
  async run(args) {
    const config = resolveRunConfig({ preset: flag.str(args, "preset"), file: flag.str(args, "config"), set: flag.list(args, "set") });
    process.stdout.write(stringifyYaml(config));
  },
};

export const configCommand: Command = {
  name: "config",
  summary: "Inspect run configs: the schema of every field, or a resolved config.",
  subcommands: [schemaCommand, showCommand],
};
