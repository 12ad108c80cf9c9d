/** Every top-level command, in the order `testtune --help` lists them. */
import type { Command } from "../command.js";
import { compareCommand } from "./compare.js";
import { configCommand } from "./config.js";
import { dataCommand } from "./data.js";
import { doctorCommand } from "./doctor.js";
import { evalCommand } from "./eval.js";
import { execCommand } from "./exec.js";
import { modelCommand } from "./model.js";
import { prefsCommand } from "./prefs.js";
import { reportCommand } from "./report.js";
import { refineCommand } from "./refine.js";
import { runCommand } from "./run.js";
import { scoreCommand } from "./score.js";
import { serveRewardsCommand } from "./serve-rewards.js";
import { setupCommand } from "./setup.js";
import { trainCommand } from "./train.js";

export const commands: Command[] = [
  runCommand,
  configCommand,
  dataCommand,
  execCommand,
  scoreCommand,
  serveRewardsCommand,
  trainCommand,
  evalCommand,
  compareCommand,
  reportCommand,
  prefsCommand,
  refineCommand,
  modelCommand,
  setupCommand,
  doctorCommand,
];
