/** Whether bubblewrap is installed and can create the namespaces the sandbox uses. */
import { run } from "../util/subprocess.js";

export interface BubblewrapStatus {
  ok: boolean;
  version?: string;
  problem?: string;
  fix?: string;
}

export async function checkBubblewrap(bwrap = process.env.TESTTUNE_BWRAP ?? "bwrap"): Promise<BubblewrapStatus> {
  const version = await run(bwrap, ["--version"], { timeoutMs: 10_000 });
  if (!version.ok) return { ok: false, problem: "bubblewrap (bwrap) is not installed", fix: "apt-get install bubblewrap (Debian/Ubuntu) or dnf install bubblewrap" };
  const probe = await run(bwrap, ["--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "--proc", "/proc", "--dev", "/dev", "true"], { timeoutMs: 10_000 });
  if (!probe.ok) {
    return {
      ok: false,
      version: version.stdout.trim(),
      problem: `bubblewrap cannot create namespaces here: ${probe.stderr.trim()}`,
      fix: "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or kernel.apparmor_restrict_unprivileged_userns=0), or run in a container that permits them",
    };
  }
  return { ok: true, version: version.stdout.trim() };
}
