/**
 * The bubblewrap command line of one executor: what the sandbox contains and what it shares.
 *
 * - Namespaces: its own PID, IPC, UTS, network (loopback only) and, for a non-root user, user
 *   namespace; cgroup where the kernel allows. `--die-with-parent`, `--new-session`.
 * - Files: read-only binds of /usr (and the /lib, /bin symlinks into it), the base Python
 *   installation at its own path, the environment at /opt/testtune/venv and the executor
 *   package at /opt/testtune/lib; a private size-limited tmpfs at /tmp and /dev/shm; a minimal
 *   /dev and /proc. Nothing else of the host: no /etc, no home, no project or work directory.
 *   The sandbox's root is remounted read-only.
 * - Environment: cleared, then PATH, HOME=/tmp, LANG, PYTHONPATH, PYTHONHASHSEED=0 (set
 *   iteration order is the same in every run and every mutant run).
 * - As root, bubblewrap keeps no capability but CAP_SETUID/CAP_SETGID, which the executor uses
 *   once to become uid 65534 (the kernel does not enforce process limits for root).
 */
import { existsSync, lstatSync, readlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { pythonDir } from "../util/paths.js";
import type { InterpreterLayout } from "./interpreter.js";

export const SANDBOX_VENV = "/opt/testtune/venv";
export const SANDBOX_LIB = "/opt/testtune/lib";

export interface BubblewrapSettings {
  layout: InterpreterLayout;
  /** Size of the private /tmp, MiB. */
  tmpMb: number;
  /** Arguments for the executor after `-m testtune_executor.server`. */
  serverArgs: string[];
  /** Whether testtune runs as root (then the executor drops to uid 65534 itself). */
  root: boolean;
}

/** The system directories every Python needs: bound if real, recreated if symlinks into /usr. */
function systemDirs(): string[] {
  const args: string[] = ["--ro-bind", "/usr", "/usr"];
  for (const dir of ["/lib", "/lib64", "/lib32", "/bin", "/sbin"]) {
    if (!existsSync(dir)) continue;
    const stat = lstatSync(dir);
    if (stat.isSymbolicLink()) args.push("--symlink", readlinkSync(dir), dir);
    else args.push("--ro-bind", dir, dir);
  }
  return args;
}

/** `--dir` for every missing ancestor of a bind target, world-readable (bubblewrap creates them 0700). */
function parents(target: string, made: Set<string>): string[] {
  const args: string[] = [];
  const chain: string[] = [];
  for (let dir = dirname(target); dir !== "/" && !made.has(dir); dir = dirname(dir)) chain.unshift(dir);
  for (const dir of chain) {
    if (dir === "/usr" || dir.startsWith("/usr/") || dir === "/tmp" || dir.startsWith("/tmp/")) continue;
    args.push("--perms", "0755", "--dir", dir);
    made.add(dir);
  }
  return args;
}

function roBind(source: string, target: string, made: Set<string>): string[] {
  return [...parents(target, made), "--ro-bind", source, target];
}

/** The interpreter path inside the sandbox. */
export function sandboxPython(layout: InterpreterLayout): string {
  return layout.prefix === layout.basePrefix ? layout.executable : join(SANDBOX_VENV, "bin", basename(layout.executable));
}

export function bubblewrapArgs(settings: BubblewrapSettings): string[] {
  const { layout } = settings;
  const made = new Set<string>();
  const args = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session"];
  if (settings.root) args.push("--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID");
  else args.push("--unshare-user");
  args.push(
    "--clearenv",
    "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
    "--setenv", "HOME", "/tmp",
    "--setenv", "LANG", "C.UTF-8",
    "--setenv", "TMPDIR", "/tmp",
    "--setenv", "PYTHONPATH", SANDBOX_LIB,
    "--setenv", "PYTHONHASHSEED", "0",
    "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
  );
  args.push(...systemDirs(), "--proc", "/proc", "--dev", "/dev");
  args.push("--perms", "1777", "--size", String(settings.tmpMb * 1024 * 1024), "--tmpfs", "/tmp");
  args.push("--perms", "1777", "--size", String(16 * 1024 * 1024), "--tmpfs", "/dev/shm");
  if (!layout.basePrefix.startsWith("/usr/")) args.push(...roBind(layout.basePrefix, layout.basePrefix, made));
  if (layout.prefix !== layout.basePrefix) args.push(...roBind(layout.prefix, SANDBOX_VENV, made));
  for (const path of layout.extraPaths) args.push(...roBind(path, path, made));
  args.push(...roBind(join(pythonDir, "testtune_executor"), join(SANDBOX_LIB, "testtune_executor"), made));
  args.push("--remount-ro", "/", "--chdir", "/tmp");
  args.push(sandboxPython(layout), "-s", "-B", "-m", "testtune_executor.server", "--sandboxed", ...settings.serverArgs);
  return args;
}
