/**
 * A minimal driver for headless Chromium over the Chrome DevTools Protocol on a pipe
 * (`--remote-debugging-pipe`: the browser reads commands from fd 3 and writes answers and events
 * to fd 4, each message JSON ended by a NUL byte). No browser download and no dependency: it
 * drives the system's `chromium` (Debian's package).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { Readable, Writable } from "node:stream";

/** TESTTUNE_CHROMIUM, else the first of chromium, chromium-browser, google-chrome on PATH; null when none. */
export function findChromium(): string | null {
  const given = process.env.TESTTUNE_CHROMIUM;
  if (given !== undefined && given !== "") return existsSync(given) ? given : null;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
      if (dir !== "" && existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return null;
}

export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
  sessionId?: string;
}

export class HeadlessChromium {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void; method: string }>();
  private readonly listeners: ((event: CdpEvent) => void)[] = [];
  private buffer = "";
  private exited: Error | null = null;

  private constructor(
    private readonly child: ChildProcess,
    private readonly input: Writable,
  ) {}

  static launch(executable: string, userDataDir: string): HeadlessChromium {
    const args = [
      "--headless",
      "--remote-debugging-pipe",
      `--user-data-dir=${userDataDir}`,
      "--no-sandbox", // CI containers run as root, where Chromium's own sandbox cannot start
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-extensions",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--hide-scrollbars",
      "--mute-audio",
      "about:blank",
    ];
    const child = spawn(executable, args, { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
    const browser = new HeadlessChromium(child, child.stdio[3] as Writable);
    const output = child.stdio[4] as Readable;
    output.setEncoding("utf8");
    output.on("data", (chunk: string) => browser.receive(chunk));
    let stderr = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    child.on("exit", (code, signal) => browser.fail(new Error(`chromium exited (${signal ?? code}); its last output: ${stderr}`)));
    child.on("error", (error) => browser.fail(error));
    return browser;
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf("\0")) >= 0) {
      const message = JSON.parse(this.buffer.slice(0, end)) as { id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string };
      this.buffer = this.buffer.slice(end + 1);
      if (message.id !== undefined) {
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error !== undefined) waiting?.reject(new Error(`${waiting.method}: ${message.error.message}`));
        else waiting?.resolve(message.result ?? {});
      } else if (message.method !== undefined) {
        const event: CdpEvent = { method: message.method, params: message.params ?? {}, ...(message.sessionId === undefined ? {} : { sessionId: message.sessionId }) };
        for (const listener of this.listeners) listener(event);
      }
    }
  }

  private fail(error: Error): void {
    this.exited = error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  /** Sends a command (to a page when sessionId is given) and resolves with its result. */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    if (this.exited !== null) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId === undefined ? {} : { sessionId }) })}\0`);
    });
  }

  onEvent(listener: (event: CdpEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves with the first event of this method (for this session) from now on. */
  waitFor(method: string, sessionId?: string): Promise<CdpEvent> {
    return new Promise((resolve) => {
      this.onEvent((e) => {
        if (e.method === method && (sessionId === undefined || e.sessionId === sessionId)) resolve(e);
      });
    });
  }

  /** Opens a new page and returns its session id. */
  async newPage(): Promise<string> {
    const { targetId } = await this.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.send("Target.attachToTarget", { targetId, flatten: true });
    return sessionId as string;
  }

  /** Evaluates an expression in the page and returns its value; a thrown exception rejects. */
  async evaluate<T>(sessionId: string, expression: string): Promise<T> {
    const answer = await this.send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true }, sessionId);
    const thrown = answer.exceptionDetails as { exception?: { description?: string }; text?: string } | undefined;
    if (thrown !== undefined) throw new Error(`in the page: ${thrown.exception?.description ?? thrown.text ?? "exception"}`);
    return (answer.result as { value: T }).value;
  }

  async close(): Promise<void> {
    if (this.exited !== null) return;
    const exit = new Promise((resolve) => this.child.once("exit", resolve));
    await this.send("Browser.close").catch(() => undefined);
    await exit;
  }
}
