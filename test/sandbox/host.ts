/** What the host can see of the sandbox's processes: the tests check that runs leave none behind. */
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

export function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** Every live process descended from `root` (default: this test process). */
export function descendants(root = process.pid): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const parent = parentOf(Number(name));
    if (parent !== undefined) parents.set(Number(name), parent);
  }
  const out: number[] = [];
  for (const pid of parents.keys()) {
    for (let p: number | undefined = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) {
      if (p === root) {
        out.push(pid);
        break;
      }
    }
  }
  return out.sort((a, b) => a - b);
}

/** The working directory of a process as it sees it (inside its sandbox), or "" when unknown. */
export function workingDirectory(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return "";
  }
}

/** The command line of a process, or "" when it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}
