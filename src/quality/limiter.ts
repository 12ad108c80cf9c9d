/** A first-in first-out limit on how many sandbox runs are in flight, shared by every request. */
import { setMaxListeners } from "node:events";
import type { ExecRequest, ExecResult } from "../sandbox/types.js";
import type { Executor } from "./score.js";

/** Thrown to a queued run whose request was given up (timed out, client gone) before the run started. */
export class AbandonedRun extends Error {
  constructor() {
    super("the request was given up before this run started");
  }
}

export class ExecLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly executor: Executor,
    readonly limit: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** An Executor whose queued runs are dropped (AbandonedRun) as soon as `signal` aborts. */
  for(signal: AbortSignal): Executor {
    // each queued run listens on the signal until it starts: a batch of 64 is 64 listeners, not
    // a leak, so Node's warning at 11 would only be noise in the user's terminal
    setMaxListeners(0, signal);
    return { exec: (request) => this.exec(request, signal) };
  }

  async exec(request: ExecRequest, signal?: AbortSignal): Promise<ExecResult> {
    if (signal?.aborted === true) throw new AbandonedRun();
    if (this.active >= this.limit) await this.slot(signal);
    else this.active += 1;
    // the slot is ours now (handed over by release() or taken above)
    try {
      return await this.executor.exec(request);
    } finally {
      this.release();
    }
  }

  /** Waits in line for a slot; leaves the line at once (without a slot) when `signal` aborts. */
  private slot(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const start = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.waiting.splice(this.waiting.indexOf(start), 1);
        reject(new AbandonedRun());
      };
      this.waiting.push(start);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.active -= 1;
    else next(); // hand the slot straight to the next in line: active stays the same
  }
}
