/**
 * The one progress reporter. On a terminal it draws a bar with rate and ETA on stderr;
 * otherwise (CI, pipes) it prints a plain line at most every few seconds and at the end.
 */
export interface ProgressOptions {
  label: string;
  total?: number;
  unit?: string;
  /** Where to write; defaults to process.stderr. */
  stream?: NodeJS.WriteStream;
  /** Print nothing (tests, --quiet). */
  silent?: boolean;
  /** Minimum seconds between plain-line updates when not on a terminal. */
  plainIntervalS?: number;
}

export class Progress {
  private done = 0;
  private total: number | undefined;
  private readonly started = Date.now();
  private lastDraw = 0;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private extra = "";

  constructor(private readonly options: ProgressOptions) {
    this.total = options.total;
    this.stream = options.stream ?? process.stderr;
    this.tty = this.stream.isTTY === true && process.env.CI === undefined;
  }

  /** Sets the absolute position (and optionally a new total and a short status text). */
  update(done: number, total?: number, extra?: string): void {
    this.done = done;
    if (total !== undefined) this.total = total;
    if (extra !== undefined) this.extra = extra;
    this.draw(false);
  }

  tick(n = 1, extra?: string): void {
    this.update(this.done + n, undefined, extra);
  }

  /** Finishes the bar with a final line. */
  finish(extra?: string): void {
    if (extra !== undefined) this.extra = extra;
    this.draw(true);
    if (this.tty && !this.options.silent) this.stream.write("\n");
  }

  /** Prints a message without breaking the bar. */
  log(message: string): void {
    if (this.options.silent) return;
    if (this.tty) this.stream.write("\r\x1b[2K");
    this.stream.write(`${message}\n`);
    this.draw(true);
  }

  private draw(force: boolean): void {
    if (this.options.silent) return;
    const now = Date.now();
    const interval = this.tty ? 100 : (this.options.plainIntervalS ?? 5) * 1000;
    if (!force && now - this.lastDraw < interval) return;
    this.lastDraw = now;
    const line = formatProgress(this.options.label, this.done, this.total, (now - this.started) / 1000, this.options.unit ?? "it", this.extra, this.tty);
    if (this.tty) this.stream.write(`\r\x1b[2K${line}`);
    else this.stream.write(`${line}\n`);
  }
}

/** Formats one progress line: label, bar (on a terminal), count, rate and ETA. */
export function formatProgress(label: string, done: number, total: number | undefined, elapsedS: number, unit: string, extra: string, withBar: boolean): string {
  const rate = elapsedS > 0 ? done / elapsedS : 0;
  const parts = [label];
  if (total !== undefined && total > 0) {
    const frac = Math.min(1, done / total);
    if (withBar) {
      const width = 24;
      const filled = Math.round(frac * width);
      parts.push(`[${"#".repeat(filled)}${".".repeat(width - filled)}]`);
    }
    parts.push(`${done}/${total} (${(frac * 100).toFixed(0)}%)`);
    const eta = rate > 0 ? (total - done) / rate : undefined;
    parts.push(`${formatRate(rate, unit)}`, `elapsed ${formatDuration(elapsedS)}`, `eta ${eta === undefined ? "?" : formatDuration(eta)}`);
  } else {
    parts.push(`${done} ${unit}`, formatRate(rate, unit), `elapsed ${formatDuration(elapsedS)}`);
  }
  if (extra !== "") parts.push(extra);
  return parts.join("  ");
}

function formatRate(rate: number, unit: string): string {
  return rate >= 1 || rate === 0 ? `${rate.toFixed(1)} ${unit}/s` : `${(1 / rate).toFixed(1)} s/${unit}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
