import { UsageError } from "../../errors.js";
import { loadTaskMap } from "../../quality/inputs.js";
import { SERVICE_DEFAULTS, startRewardService } from "../../quality/service.js";
import { flag, type Command } from "../command.js";
import { maxMutantsArg, mutantsArg, rewardArg, rewardFlag, sandboxFlags, startPoolFromArgs, workersArg } from "./score.js";

function positive(name: string, value: number | undefined, integer: boolean): number | undefined {
  if (value !== undefined && (!(value > 0) || (integer && !Number.isInteger(value)))) {
    throw new UsageError(`--${name} must be a positive ${integer ? "integer" : "number"}, got ${value}`);
  }
  return value;
}

export const serveRewardsCommand: Command = {
  name: "serve-rewards",
  summary: "Serve rewards over HTTP (POST /v1/score) for online RL: TRL, verl, OpenRLHF or testtune's own PPO/GRPO.",
  description: `POST /v1/score with {"task_ids": [...], "completions": [...]} (or {"items": [{task_id, completion}]},
or OpenRLHF's {"query", "prompts", "labels"}) answers {"scores": [...], "rewards": [...], "details": [...]}.
GET /health answers {"status": "ok", ...}. docs/rewards.md shows the client side for each trainer.
Listens on 127.0.0.1 by default: the service runs code it is sent, in the sandbox, for anyone who can reach it.`,
  flags: [
    { name: "tasks", type: "string", value: "<tasks.jsonl>", required: true, description: "the tasks completions are scored against (by task id)" },
    rewardFlag,
    { name: "port", type: "number", value: "<port>", default: SERVICE_DEFAULTS.port, description: "port to listen on (0: any free port)" },
    { name: "host", type: "string", value: "<address>", default: SERVICE_DEFAULTS.host, description: "address to listen on" },
    { name: "concurrency", type: "number", value: "<n>", description: "sandbox runs in flight over all requests (default: 2 x workers)" },
    { name: "max-queue", type: "number", value: "<n>", default: SERVICE_DEFAULTS.maxQueue, description: "completions that may wait for a sandbox slot over all requests; beyond it a request gets 503 with Retry-After" },
    { name: "timeout-s", type: "number", value: "<s>", default: SERVICE_DEFAULTS.timeoutS, description: "longest one request may take; then it gets 504" },
    { name: "mutants", type: "boolean", default: true, description: "quality preset: run valid test files against mutants (--no-mutants to skip)" },
    { name: "coverage", type: "boolean", default: true, description: "quality preset: measure coverage (--no-coverage to skip)" },
    ...sandboxFlags,
  ],
  async run(args) {
    const reward = rewardArg(args);
    const mutants = mutantsArg(args, reward);
    const port = flag.num(args, "port") ?? SERVICE_DEFAULTS.port;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got ${port}`);
    const timeoutS = positive("timeout-s", flag.num(args, "timeout-s"), false);
    const concurrency = positive("concurrency", flag.num(args, "concurrency"), true);
    const maxQueue = flag.num(args, "max-queue") ?? SERVICE_DEFAULTS.maxQueue;
    if (!Number.isInteger(maxQueue) || maxQueue < 0) throw new UsageError(`--max-queue must be a non-negative integer, got ${maxQueue}`);
    const tasks = await loadTaskMap(flag.need(args, "tasks"));
    const pool = await startPoolFromArgs(args);
    const service = await startRewardService({
      tasks,
      executor: pool,
      reward,
      mutants,
      coverage: flag.bool(args, "coverage"),
      host: flag.str(args, "host") ?? SERVICE_DEFAULTS.host,
      port,
      concurrency: concurrency ?? 2 * workersArg(args),
      maxQueue,
      timeoutS,
      execTimeoutS: flag.num(args, "timeout-run-s"),
      maxMutants: maxMutantsArg(args),
      log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
    }).catch(async (error: unknown) => {
      await pool.close();
      throw error;
    });
    process.stdout.write(`reward service on ${service.url} (POST /v1/score, GET /health): ${tasks.size} tasks, reward ${reward}; Ctrl-C stops it\n`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await service.close();
    await pool.close();
  },
};
