/** Loading YAML/JSON configs and specs through zod schemas, with errors that name the file and field. */
import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { ConfigError } from "../errors.js";

/** Formats a zod issue path as `a.b[2].c`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

/**
 * Validates a value against a schema; on failure throws a ConfigError naming the source,
 * the first wrong field and what was expected, and where the fields are documented.
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, source: string, documented?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1, 4).map((i) => fieldPath(i.path) || "<root>").join(", ")})` : "";
  const field = first === undefined ? "" : fieldPath(first.path);
  throw new ConfigError(source, field, `${first?.message ?? "invalid"}${more}`, {
    hint: `fix '${field || "<root>"}' in ${source}${documented === undefined ? "" : `; ${documented}`}`,
  });
}

/** Reads a YAML (or JSON, which is YAML) file and validates it. */
export function loadConfigFile<S extends z.ZodType>(schema: S, file: string, documented?: string): z.output<S> {
  if (!existsSync(file)) throw new ConfigError(file, "", "file not found");
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(file, "", `not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  return validate(schema, raw ?? {}, file, documented);
}

/** Sets `a.b.c=value` overrides (from the command line) on a plain object; values parse as YAML scalars. */
export function applyOverrides(target: Record<string, unknown>, overrides: string[], source = "--set"): Record<string, unknown> {
  for (const item of overrides) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new ConfigError(source, item, "expected key=value, e.g. sft.max_steps=100");
    const keys = item.slice(0, eq).split(".");
    let value: unknown;
    try {
      value = parseYaml(item.slice(eq + 1));
    } catch (error) {
      throw new ConfigError(source, item.slice(0, eq), `'${item.slice(eq + 1)}' is not a valid YAML value: ${(error as Error).message.split("\n")[0]}`, {
        hint: "lists are written [a,b], strings with commas or brackets in quotes",
      });
    }
    let node: Record<string, unknown> = target;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      if (next === undefined || next === null || typeof next !== "object") node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1] as string] = value;
  }
  return target;
}
