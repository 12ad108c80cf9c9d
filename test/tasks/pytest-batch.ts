/**
 * Test helper: runs each task's reference tests against its code with pytest, all tasks in one
 * Python process (pytest.main per task, in a fresh temp directory), and returns the exit codes.
 */
import { pythonEnv } from "../../src/engine/python-env.js";
import { run } from "../../src/util/subprocess.js";

const RUNNER = `
import json, os, sys, tempfile, pytest
codes = []
for item in json.load(sys.stdin):
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, item["module"] + ".py"), "w") as f:
            f.write(item["code"])
        with open(os.path.join(d, "test_" + item["module"] + ".py"), "w") as f:
            f.write(item["tests"])
        for name in (item["module"], "test_" + item["module"]):
            sys.modules.pop(name, None)
        codes.append(int(pytest.main([d, "-q", "-p", "no:cacheprovider", "--no-header", "-o", "addopts="], plugins=[])))
        sys.path[:] = [p for p in sys.path if p != d]
print(json.dumps(codes))
`;

export async function pytestExitCodes(items: { code: string; tests: string; module: string }[]): Promise<number[]> {
  const { python, env } = await pythonEnv({ quiet: true });
  const result = await run(python, ["-c", RUNNER], { env, input: JSON.stringify(items), timeoutMs: 300_000 });
  if (!result.ok) throw new Error(`pytest batch failed: ${result.stderr.slice(-2000)}`);
  const lastLine = result.stdout.trim().split("\n").pop() ?? "[]";
  return JSON.parse(lastLine) as number[];
}
