/** Every top-level command, in the order `testtune --help` lists them. */
import type { Command } from "../command.js";
import { setupCommand } from "./setup.js";

export const commands: Command[] = [setupCommand];
