#!/usr/bin/env node
/** The testtune command line: dispatches to one command group per file under commands/. */
import { isTesttuneError, UsageError } from "../errors.js";
import { formatHelp, parseArgs, type Command } from "./command.js";
import { commands } from "./commands/index.js";

const root: Command = {
  name: "",
  summary: "testtune: fine-tune code LLMs to write better Python unit tests, and prove it with execution.",
  subcommands: commands,
};

async function main(argv: string[]): Promise<number> {
  let command = root;
  let path = "";
  let rest = argv;
  while (command.subcommands !== undefined && rest.length > 0 && !(rest[0] as string).startsWith("-")) {
    const next = command.subcommands.find((c) => c.name === rest[0]);
    if (next === undefined) {
      throw new UsageError(`unknown command '${path === "" ? "" : `${path} `}${rest[0]}'`, `run 'testtune ${path === "" ? "" : `${path} `}--help' to list commands`);
    }
    command = next;
    path = path === "" ? next.name : `${path} ${next.name}`;
    rest = rest.slice(1);
  }
  if (rest.includes("--help") || rest.includes("-h") || command.run === undefined) {
    process.stdout.write(formatHelp(command, path));
    return command.run === undefined && !rest.includes("--help") && !rest.includes("-h") && path !== "" ? 1 : 0;
  }
  const args = parseArgs(command, rest, path);
  const code = await command.run(args);
  return code ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (isTesttuneError(error)) {
      process.stderr.write(`error: ${error.message}\n`);
      if (error.hint !== undefined) process.stderr.write(`HINT: ${error.hint}\n`);
      if (process.env.TESTTUNE_DEBUG !== undefined) process.stderr.write(`${error.stack ?? ""}\n`);
    } else {
      process.stderr.write(`internal error (a bug in testtune; please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exitCode = 1;
  },
);
