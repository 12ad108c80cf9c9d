// Runs the Python tests (python/tests) with testtune's Python environment.
import { spawnSync } from "node:child_process";
import { readyPythonEnv } from "../dist/src/engine/python-env.js";
import { pythonDir } from "../dist/src/util/paths.js";

const env = readyPythonEnv();
if (env === undefined) {
  console.error("the Python environment is not set up: run `npm run testtune -- setup`");
  process.exit(1);
}
const result = spawnSync(env.python, ["-m", "pytest", ...process.argv.slice(2)], { cwd: pythonDir, env: env.env, stdio: "inherit" });
process.exit(result.status ?? 1);
