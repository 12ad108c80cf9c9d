/**
 * Follows a running engine job: parses its stdout into events, keeps what a result or an error
 * needs (artifacts, metrics, the error event, the last log and stderr lines), shows progress
 * and log lines, and appends metrics to a file.
 */
import { JsonlAppender } from "../util/jsonl.js";
import { Progress } from "../util/progress.js";
import { LineSplitter, parseEventLine, type ArtifactEvent, type EngineEvent, type ErrorEvent, type InterruptedEvent, type MetricsEvent } from "./events.js";

const KEPT_LINES = 40;

export interface MonitorOptions {
  quiet: boolean;
  label: string;
  onEvent?: ((event: EngineEvent) => void) | undefined;
  metricsFile?: string | undefined;
}

function keepLast(lines: string[], line: string): void {
  lines.push(line);
  if (lines.length > KEPT_LINES) lines.shift();
}

export class JobMonitor {
  readonly artifacts: ArtifactEvent[] = [];
  readonly metrics: MetricsEvent[] = [];
  readonly logLines: string[] = [];
  readonly stderrLines: string[] = [];
  error: ErrorEvent | undefined;
  interrupted: InterruptedEvent | undefined;
  protocolError: string | undefined;
  private readonly stdoutLines = new LineSplitter();
  private readonly stderrSplitter = new LineSplitter();
  private lineNo = 0;
  private progress: Progress | undefined;
  private metricsOut: JsonlAppender | undefined;

  constructor(
    private readonly job: string,
    private readonly options: MonitorOptions,
  ) {}

  /** Takes a chunk of the job's stdout; says when a line broke the protocol (the job must be stopped). */
  stdout(chunk: string): "ok" | "protocol-error" {
    for (const line of this.stdoutLines.push(chunk)) this.line(line);
    return this.protocolError === undefined ? "ok" : "protocol-error";
  }

  stderr(chunk: string): void {
    for (const line of this.stderrSplitter.push(chunk)) if (line.trim() !== "") keepLast(this.stderrLines, line.replace(/\r$/, "").split("\r").pop() ?? "");
  }

  /** The streams ended: handles unterminated last lines and finishes the progress bar. */
  end(): void {
    for (const line of this.stdoutLines.flush()) this.line(line);
    this.stderr("\n");
    this.progress?.finish();
  }

  async close(): Promise<void> {
    await this.metricsOut?.close();
  }

  /** Prints a message of our own (not the job's) unless quiet. */
  note(message: string): void {
    if (this.options.quiet) return;
    if (this.progress === undefined) process.stderr.write(`${message}\n`);
    else this.progress.log(message);
  }

  /** The last log events and stderr lines, for an error message. */
  tail(): string {
    const parts: string[] = [];
    if (this.logLines.length > 0) parts.push(`\nlast log lines:\n${this.logLines.slice(-10).map((l) => `  ${l}`).join("\n")}`);
    if (this.stderrLines.length > 0) parts.push(`\nlast stderr lines:\n${this.stderrLines.slice(-20).map((l) => `  ${l}`).join("\n")}`);
    return parts.join("");
  }

  private line(line: string): void {
    this.lineNo += 1;
    if (this.protocolError !== undefined || line.trim() === "") return;
    let event: EngineEvent;
    try {
      event = parseEventLine(line);
    } catch (error) {
      const shown = line.length > 200 ? `${line.slice(0, 200)}...` : line;
      this.protocolError = `stdout line ${this.lineNo} is not a protocol event (${(error as Error).message}): ${shown}`;
      return;
    }
    this.handle(event);
    this.options.onEvent?.(event);
  }

  private handle(event: EngineEvent): void {
    switch (event.event) {
      case "progress":
        this.progress ??= new Progress({ label: this.options.label, unit: event.unit, silent: this.options.quiet });
        this.progress.update(event.step, event.total ?? undefined);
        break;
      case "metrics":
        this.metrics.push(event);
        if (this.options.metricsFile !== undefined) {
          this.metricsOut ??= new JsonlAppender(this.options.metricsFile);
          const { event: _kind, ...values } = event;
          this.metricsOut.write(values);
        }
        break;
      case "log": {
        const text = `[${event.level}] ${event.message}`;
        keepLast(this.logLines, text);
        this.note(`${this.job}: ${event.level === "info" ? "" : `${event.level}: `}${event.message}`);
        break;
      }
      case "artifact":
        this.artifacts.push(event);
        break;
      case "error":
        this.error = event;
        break;
      case "interrupted":
        this.interrupted = event;
        break;
    }
  }
}
