/**
 * The reward service: `POST /v1/score` turns completions into rewards by running them in the
 * sandbox; `GET /health` says it is up. Training jobs start it in-process
 * (`startRewardService`); `testtune serve-rewards` runs it standalone. Protocol and client
 * recipes (TRL, verl, OpenRLHF): docs/rewards.md.
 *
 * Sandbox runs from all requests share one FIFO limit (`concurrency`); a request that takes
 * longer than `timeoutS` gets 504 and its runs that have not started are dropped, as are those
 * of a client that disconnects before its answer. Admission is bounded: a request that would
 * take the completions admitted and not yet scored over `concurrency + maxQueue` is refused at
 * once with 503 and `Retry-After`, so memory and waiting time stay bounded however many clients
 * call (a request arriving at an idle service is always admitted, whatever its size).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { NetworkError } from "../errors.js";
import type { Task } from "../tasks/schema.js";
import { ExecLimiter } from "./limiter.js";
import { REWARD_MEASURES, type RewardPreset } from "./rewards.js";
import { scoreByKind } from "../kinds/score.js";
import type { Executor, ScoreRecord } from "./score.js";
import { parseScoreRequest, RequestError } from "./service-request.js";

export interface RewardServiceOptions {
  tasks: ReadonlyMap<string, Task>;
  executor: Executor;
  reward?: RewardPreset;
  /** Measure mutants and coverage (only for presets that read them: REWARD_MEASURES). */
  mutants?: boolean;
  coverage?: boolean;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Sandbox runs in flight at once, over all requests. */
  concurrency?: number;
  /** Completions that may wait for a sandbox slot, over all requests; beyond it requests get 503. */
  maxQueue?: number;
  /** Longest a request may take, seconds. */
  timeoutS?: number;
  /** Wall-clock limit of one test run, seconds (the pool's default when absent). */
  execTimeoutS?: number;
  /** At most this many mutants per task (all when absent). */
  maxMutants?: number;
  /** With maxMutants: seeds the sample of mutants each request draws (request n uses `<seed>:<n>`). */
  mutantSeed?: number;
  maxBodyBytes?: number;
  /** One line per request (status, items, time). */
  log?: (line: string) => void;
}

export interface RewardService {
  url: string;
  close(): Promise<void>;
}

// maxQueue: verl's reward loop calls one completion at a time from up to 32 threads per worker
// and 8 workers by default (verl 0.9.1 reward.num_workers), so 256 at once; 1024 leaves room
// for a few trainers before anyone is refused.
export const SERVICE_DEFAULTS = { host: "127.0.0.1", port: 8787, concurrency: 8, maxQueue: 1024, timeoutS: 600, maxBodyBytes: 32 * 1024 * 1024, retryAfterS: 1 } as const;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > limit) {
      reject(new RequestError(413, `the body is ${declared} bytes; the limit is ${limit}`, ""));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new RequestError(413, `the body is over the limit of ${limit} bytes`, ""));
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

class Timeout extends Error {}
class ClientGone extends Error {}

export async function startRewardService(options: RewardServiceOptions): Promise<RewardService> {
  const preset = options.reward ?? "quality";
  const measures = REWARD_MEASURES[preset];
  const settings = {
    reward: preset,
    mutants: measures.mutants && options.mutants === true,
    coverage: measures.coverage && options.coverage === true,
    timeoutS: options.execTimeoutS,
    maxMutants: options.maxMutants,
  };
  // each request (a training step's batch) draws its own seeded sample of mutants
  let requests = 0;
  const limiter = new ExecLimiter(options.executor, options.concurrency ?? SERVICE_DEFAULTS.concurrency);
  const timeoutMs = (options.timeoutS ?? SERVICE_DEFAULTS.timeoutS) * 1000;
  const maxBody = options.maxBodyBytes ?? SERVICE_DEFAULTS.maxBodyBytes;
  const maxQueue = options.maxQueue ?? SERVICE_DEFAULTS.maxQueue;
  if (!Number.isInteger(maxQueue) || maxQueue < 0) throw new RangeError(`maxQueue must be a non-negative integer, got ${maxQueue}`);
  const capacity = limiter.limit + maxQueue;
  /** Completions admitted and not yet scored or dropped, over all requests. */
  let admitted = 0;

  async function score(req: IncomingMessage, res: ServerResponse): Promise<{ scores: number[]; details: ScoreRecord[] }> {
    const items = parseScoreRequest(await readBody(req, maxBody), options.tasks);
    if (admitted > 0 && admitted + items.length > capacity) {
      throw new RequestError(503, `the queue is full (${admitted} completions admitted, room for ${capacity}: --concurrency + --max-queue); retry after ${SERVICE_DEFAULTS.retryAfterS} s`, "");
    }
    admitted += items.length;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let onClose: (() => void) | undefined;
    const givenUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Timeout());
      }, timeoutMs);
      // the client went away before its answer: nobody will read it, so its queued runs go
      onClose = () => {
        if (res.writableEnded) return;
        controller.abort();
        reject(new ClientGone());
      };
      res.once("close", onClose);
      if (res.socket === null || res.socket.destroyed) onClose(); // gone while its body was read
    });
    const run = scoreByKind(items, limiter.for(controller.signal), { ...settings, mutantSeed: `${options.mutantSeed ?? 0}:${requests++}` });
    // its queued runs reject with AbandonedRun once given up; started ones finish (at most `concurrency`)
    void run.then(
      () => (admitted -= items.length),
      () => (admitted -= items.length),
    );
    try {
      const details = await Promise.race([run, givenUp]);
      const broken = details.findIndex((d) => d.reward === null);
      if (broken !== -1) throw new RequestError(503, `the sandbox failed twice on item ${broken} (${details[broken]?.detail ?? ""}); retry the request`, `[${broken}]`);
      return { scores: details.map((d) => d.reward as number), details };
    } finally {
      clearTimeout(timer);
      if (onClose !== undefined) res.off("close", onClose);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/health") {
      if (req.method !== "GET") return send(res, 405, { error: "use GET /health" });
      return send(res, 200, { status: "ok", tasks: options.tasks.size, reward: preset, mutants: settings.mutants, coverage: settings.coverage, in_flight: limiter.inFlight, queued: limiter.queued, admitted, capacity });
    }
    if (path !== "/v1/score") return send(res, 404, { error: `no route ${path ?? ""}: use POST /v1/score or GET /health` });
    if (req.method !== "POST") return send(res, 405, { error: "use POST /v1/score" });
    const started = Date.now();
    try {
      const { scores, details } = await score(req, res);
      // OpenRLHF (0.11.2) reads `rewards` as the reward, `scores` as the logged score, and
      // logs every list in `extra_logs`
      send(res, 200, { scores, rewards: scores, extra_logs: { valid: details.map((d) => (d.valid ? 1 : 0)) }, details });
      options.log?.(`200 ${scores.length} items ${Date.now() - started} ms`);
    } catch (error) {
      const [status, body] =
        error instanceof RequestError
          ? [error.status, { error: error.message, field: error.field }]
          : error instanceof Timeout
            ? [504, { error: `scoring took longer than ${timeoutMs / 1000} s; raise --timeout-s or send smaller batches` }]
            : error instanceof ClientGone
              ? [499, { error: "the client closed the connection before its answer; its queued runs were dropped" }]
              : [500, { error: `internal error: ${(error as Error).message}` }];
      if (status === 413) res.setHeader("connection", "close");
      if (status === 503) res.setHeader("retry-after", String(SERVICE_DEFAULTS.retryAfterS));
      send(res, status, body);
      options.log?.(`${status} ${body.error}`);
      if (status === 500) options.log?.((error as Error).stack ?? "");
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(new NetworkError(`cannot listen on ${options.host ?? SERVICE_DEFAULTS.host}:${options.port ?? SERVICE_DEFAULTS.port}: ${error.message}`, { hint: "pick another --port (or 0 for any free port)", cause: error })),
    );
    server.listen(options.port ?? SERVICE_DEFAULTS.port, options.host ?? SERVICE_DEFAULTS.host, resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
