/**
 * Declarative commands: each command lists its flags once, and both the parser and
 * `--help` are derived from that list.
 */
import { UsageError } from "../errors.js";

export type FlagType = "string" | "number" | "boolean" | "list";

export interface FlagSpec {
  name: string;
  type: FlagType;
  description: string;
  /** Shown in help and used when the flag is absent. */
  default?: string | number | boolean | string[];
  required?: boolean;
  /** Placeholder shown in help, e.g. <file>. */
  value?: string;
  short?: string;
}

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
}

export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

export interface ParsedArgs {
  flags: FlagValues;
  positionals: string[];
}

export interface Command {
  name: string;
  summary: string;
  /** Longer help text printed under the usage line. */
  description?: string;
  flags?: FlagSpec[];
  positionals?: PositionalSpec[];
  subcommands?: Command[];
  /** Runs the command; returns the process exit code (0 when omitted). */
  run?: (args: ParsedArgs) => Promise<number | void>;
}

/** Parses argv against a command's flag specs; unknown flags are errors with a hint. */
export function parseArgs(command: Command, argv: string[], commandPath: string): ParsedArgs {
  const specs = command.flags ?? [];
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short !== undefined).map((s) => [s.short as string, s]));
  const flags: FlagValues = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const rawName = eq === -1 ? arg : arg.slice(0, eq);
    let spec: FlagSpec | undefined;
    let negated = false;
    if (rawName.startsWith("--no-") && byName.get(rawName.slice(5))?.type === "boolean") {
      spec = byName.get(rawName.slice(5));
      negated = true;
    } else if (rawName.startsWith("--")) spec = byName.get(rawName.slice(2));
    else spec = byShort.get(rawName.slice(1));
    if (spec === undefined) {
      throw new UsageError(`unknown flag ${rawName} for '${commandPath}'`, `run 'testtune ${commandPath} --help' to see its flags`);
    }
    if (spec.type === "boolean") {
      if (eq !== -1) {
        const text = arg.slice(eq + 1);
        if (text !== "true" && text !== "false") throw new UsageError(`--${spec.name} takes true or false, got '${text}'`);
        flags[spec.name] = text === "true";
      } else flags[spec.name] = !negated;
      continue;
    }
    let text: string | undefined;
    if (eq !== -1) text = arg.slice(eq + 1);
    else {
      text = argv[i + 1];
      i += 1;
    }
    if (text === undefined) throw new UsageError(`--${spec.name} needs a value`, `e.g. --${spec.name} ${spec.value ?? "<value>"}`);
    flags[spec.name] = convertFlag(spec, text, flags[spec.name]);
  }
  for (const spec of specs) {
    if (flags[spec.name] === undefined && spec.default !== undefined) flags[spec.name] = spec.default;
    if (flags[spec.name] === undefined && spec.required === true) {
      throw new UsageError(`missing required flag --${spec.name} for '${commandPath}'`, `--${spec.name} ${spec.value ?? "<value>"}: ${spec.description}`);
    }
  }
  const required = (command.positionals ?? []).filter((p) => p.required === true);
  if (positionals.length < required.length) {
    throw new UsageError(`'${commandPath}' needs <${required.map((p) => p.name).join("> <")}>`, `run 'testtune ${commandPath} --help'`);
  }
  return { flags, positionals };
}

/**
 * Splits a list flag at its commas, except inside brackets, braces or quotes, so that
 * `--set eval.models=[sft,dpo],eval.n=8` is two items.
 */
export function splitList(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "{") depth += 1;
    else if ((c === "]" || c === "}") && depth > 0) depth -= 1;
    else if (c === "," && depth === 0) {
      items.push(text.slice(start, i));
      start = i + 1;
    }
  }
  items.push(text.slice(start));
  return items;
}

function convertFlag(spec: FlagSpec, text: string, previous: FlagValues[string]): string | number | string[] {
  switch (spec.type) {
    case "number": {
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value)) throw new UsageError(`--${spec.name} must be a number, got '${text}'`);
      return value;
    }
    case "list": {
      const items = splitList(text).map((s) => s.trim()).filter((s) => s !== "");
      return [...(Array.isArray(previous) ? previous : []), ...items];
    }
    default:
      return text;
  }
}

/** The help text of a command, generated from its specs. */
export function formatHelp(command: Command, commandPath: string): string {
  const lines: string[] = [];
  const pos = (command.positionals ?? []).map((p) => (p.required === true ? `<${p.name}>` : `[${p.name}]`)).join(" ");
  const sub = command.subcommands !== undefined && command.subcommands.length > 0 ? " <command>" : "";
  lines.push(`Usage: ${["testtune", commandPath].filter((part) => part !== "").join(" ")}${sub}${pos === "" ? "" : ` ${pos}`}${(command.flags ?? []).length > 0 ? " [flags]" : ""}`, "");
  lines.push(command.summary);
  if (command.description !== undefined) lines.push("", command.description.trim());
  if (command.subcommands !== undefined && command.subcommands.length > 0) {
    lines.push("", "Commands:");
    const width = Math.max(...command.subcommands.map((c) => c.name.length));
    for (const c of command.subcommands) lines.push(`  ${c.name.padEnd(width)}  ${c.summary}`);
    lines.push("", `Run 'testtune ${commandPath === "" ? "" : `${commandPath} `}<command> --help' for a command's flags.`);
  }
  if ((command.positionals ?? []).length > 0) {
    lines.push("", "Arguments:");
    for (const p of command.positionals ?? []) lines.push(`  ${p.name}  ${p.description}`);
  }
  const flags = command.flags ?? [];
  if (flags.length > 0) {
    lines.push("", "Flags:");
    const labels = flags.map((f) => `${f.short === undefined ? "" : `-${f.short}, `}--${f.name}${f.type === "boolean" ? "" : ` ${f.value ?? (f.type === "number" ? "<n>" : f.type === "list" ? "<a,b,...>" : "<value>")}`}`);
    const width = Math.max(...labels.map((l) => l.length));
    flags.forEach((f, i) => {
      const extra = f.required === true ? " (required)" : f.default !== undefined && f.default !== false ? ` (default: ${Array.isArray(f.default) ? f.default.join(",") : String(f.default)})` : "";
      lines.push(`  ${(labels[i] as string).padEnd(width)}  ${f.description}${extra}`);
    });
  }
  lines.push("  --help".padEnd(2) + "  show this help");
  return `${lines.join("\n")}\n`;
}

/** Typed accessors for parsed flags (the parser already converted and checked types). */
export const flag = {
  str(args: ParsedArgs, name: string): string | undefined {
    const v = args.flags[name];
    return typeof v === "string" ? v : undefined;
  },
  num(args: ParsedArgs, name: string): number | undefined {
    const v = args.flags[name];
    return typeof v === "number" ? v : undefined;
  },
  bool(args: ParsedArgs, name: string): boolean {
    return args.flags[name] === true;
  },
  list(args: ParsedArgs, name: string): string[] | undefined {
    const v = args.flags[name];
    return Array.isArray(v) ? v : undefined;
  },
  /** A string flag that the spec marks required. */
  need(args: ParsedArgs, name: string): string {
    const v = args.flags[name];
    if (typeof v !== "string") throw new UsageError(`missing --${name}`);
    return v;
  },
};
