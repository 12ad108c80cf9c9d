/** ppo: PPO with a value head on the train tasks, rewarded by running the samples, from the SFT model. */
import { onlineRlStage } from "../../train/online-stage.js";
import type { StageContext } from "../context.js";

export function ppoStage(ctx: StageContext): Promise<Record<string, unknown>> {
  return onlineRlStage(ctx, "ppo");
}
