/** Every top-level command, in the order `testtune --help` lists them. */
import type { Command } from "../command.js";
import { configCommand } from "./config.js";
import { doctorCommand } from "./doctor.js";
import { runCommand } from "./run.js";
import { setupCommand } from "./setup.js";

export const commands: Command[] = [
  runCommand,
  configCommand,
  setupCommand,
  doctorCommand,
];
