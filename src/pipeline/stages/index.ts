/** The stage functions `testtune run` can execute, by stage name. */
import type { Stage } from "../../config/run-config.js";
import type { StageFn } from "../context.js";
import { dataStage } from "./data.js";
import { evalStage } from "./eval.js";
import { pretrainStage } from "./pretrain.js";
import { reportStage } from "./report.js";
import { sftStage } from "./sft.js";

export const pipelineStages: Partial<Record<Stage, StageFn>> = {
  data: dataStage,
  pretrain: pretrainStage,
  sft: sftStage,
  eval: evalStage,
  report: reportStage,
};
