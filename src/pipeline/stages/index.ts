/** The stage functions `testtune run` can execute, by stage name. */
import { baseStage, STAGES, type Stage } from "../../config/run-config.js";
import type { StageFn } from "../context.js";
import { dataStage } from "./data.js";
import { dpoStage } from "./dpo.js";
import { evalStage } from "./eval.js";
import { exportStage } from "./export.js";
import { grpoStage } from "./grpo.js";
import { ppoStage } from "./ppo.js";
import { prefsStage } from "./prefs.js";
import { pretrainStage } from "./pretrain.js";
import { reportStage } from "./report.js";
import { rftStage } from "./rft.js";
import { selfgenStage } from "./selfgen.js";
import { sftStage } from "./sft.js";

const baseStages: Record<string, StageFn> = {
  data: dataStage,
  pretrain: pretrainStage,
  selfgen: selfgenStage,
  sft: sftStage,
  rft: rftStage,
  prefs: prefsStage,
  dpo: dpoStage,
  ppo: ppoStage,
  grpo: grpoStage,
  eval: evalStage,
  report: reportStage,
  export: exportStage,
};

/** Every stage, reward variants (`dpo_strength`, ...) running their base stage's function. */
export const pipelineStages = Object.fromEntries(STAGES.map((s) => [s, baseStages[baseStage(s)] as StageFn])) as Record<Stage, StageFn>;
