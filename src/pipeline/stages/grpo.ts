/** grpo: GRPO on the train tasks, rewarded by running each group of samples, from the SFT model. */
import { onlineRlStage } from "../../train/online-stage.js";
import type { StageContext } from "../context.js";

export function grpoStage(ctx: StageContext): Promise<Record<string, unknown>> {
  return onlineRlStage(ctx, "grpo");
}
