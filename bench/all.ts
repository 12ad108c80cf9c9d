/**
 * `npm run bench`: runs every benchmark program in turn. Each prints its own table with a
 * baseline measured in the same run; this only sequences them so they never share the CPU.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const BENCHMARKS = ["sandbox", "rewards", "train", "multiprocess", "eval"];
const here = dirname(fileURLToPath(import.meta.url));
let failed = 0;
for (const name of BENCHMARKS) {
  process.stdout.write(`\n=== bench:${name}\n`);
  const result = spawnSync(process.execPath, [join(here, `${name}.js`), ...process.argv.slice(2)], { stdio: "inherit" });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
