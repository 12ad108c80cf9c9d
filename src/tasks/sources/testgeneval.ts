/**
 * TestGenEval (Jain et al. 2024, kjain14/testgeneval): full-test-file generation for real
 * files of 11 Python repositories. Columns used: repo, base_commit, instance_id, id, code_src,
 * test_src, code_file, test_file, local_imports, preds_context (none, preamble, first,
 * last_minus_one, last: the test file cut at different points, for the benchmark's settings).
 *
 * Its code and tests import the repository's own package, so they run only inside that
 * repository at base_commit with its dependencies installed. Such tasks are marked
 * (metadata.needs_repo_env) and skipped, with a count, unless a repository environment is
 * given (--repo-env), whose use is recorded in metadata.repo_env.
 */
import { existsSync } from "node:fs";
import { UsageError } from "../../errors.js";
import { Fields } from "../fields.js";
import { topLevelNames } from "../python-names.js";
import type { Task } from "../schema.js";
import { inputRows } from "./input.js";
import type { Drop, LoadResult, SourceAdapter } from "./types.js";

const EXPECTED = "a TestGenEval file (repo, base_commit, instance_id, code_src, test_src, code_file, test_file, local_imports, preds_context)";
const CONTEXT_KEYS = ["none", "preamble", "first", "last_minus_one", "last"] as const;

function predsContext(f: Fields): Record<string, string> {
  const raw = f.obj("preds_context");
  const out: Record<string, string> = {};
  for (const key of CONTEXT_KEYS) {
    const value = raw[key];
    if (value !== undefined && value !== null && typeof value !== "string") f.fail("preds_context", `key '${key}' must be a string`);
    if (typeof value === "string") out[key] = value;
  }
  return out;
}

/** A module inside a package, or one with local imports, runs only in its repository. */
function needsRepoEnv(codeFile: string, localImports: unknown[]): boolean {
  return codeFile.includes("/") || localImports.length > 0;
}

export const testgenevalSource: SourceAdapter = {
  name: "testgeneval",
  summary: "TestGenEval: real repository files and their full test files (needs the repositories' environment to run)",
  hub: { repo: "kjain14/testgeneval", config: "default" },
  async load(options): Promise<LoadResult> {
    if (options.repoEnv !== undefined && !existsSync(options.repoEnv)) {
      throw new UsageError(`--repo-env ${options.repoEnv} does not exist`, "pass the directory holding the repositories' checkouts and environments");
    }
    const tasks: Task[] = [];
    const drops: Drop[] = [];
    let rows = 0;
    for await (const row of inputRows("testgeneval", this.hub, options)) {
      rows += 1;
      const f = new Fields(row, EXPECTED);
      const instanceId = f.str("instance_id");
      const id = `testgeneval/${f.optStr("id") ?? instanceId}`;
      const codeFile = f.str("code_file");
      const localImports = f.has("local_imports") ? f.list("local_imports") : [];
      const needsEnv = needsRepoEnv(codeFile, localImports);
      if (needsEnv && options.repoEnv === undefined) {
        drops.push({ id, reason: "needs its repository environment (pass --repo-env)" });
        continue;
      }
      const code = f.str("code_src");
      const moduleName = (codeFile.split("/").pop() ?? codeFile).replace(/\.py$/, "").replace(/\W/g, "_");
      tasks.push({
        id,
        source: "testgeneval",
        code,
        module: /^[A-Za-z_]/.test(moduleName) ? moduleName : `m_${moduleName}`,
        entry_points: [...topLevelNames(code)].filter((n) => !n.startsWith("_") && new RegExp(`^(?:async\\s+)?(?:def|class)\\s+${n}\\b`, "m").test(code)),
        tests: f.str("test_src"),
        category: f.str("repo"),
        metadata: {
          repo: f.str("repo"),
          base_commit: f.str("base_commit"),
          instance_id: instanceId,
          code_file: codeFile,
          test_file: f.str("test_file"),
          module_path: codeFile.replace(/\.py$/, "").replace(/\//g, "."),
          local_imports: localImports,
          preds_context: predsContext(f),
          needs_repo_env: needsEnv,
          ...(needsEnv ? { repo_env: options.repoEnv } : {}),
        },
      });
    }
    return { tasks, drops, rows };
  },
};
