/**
 * The seed of one sample, from the evaluation's seed, the task id and the sample index: the
 * engine's generate job derives its per-sample generators the same way (sha256 of
 * "seed\0task_id\0index", python/testtune_engine/jobs/generate.py), so a sample does not depend
 * on which other samples ran beside it or on a resume. Backends that take a 32-bit seed
 * (llama.cpp, OpenAI-compatible servers) use the digest's first four bytes.
 */
import { createHash } from "node:crypto";

export function sampleSeed(seed: number, taskId: string, sampleIndex: number): number {
  return createHash("sha256").update(`${seed}\0${taskId}\0${sampleIndex}`).digest().readUInt32LE(0);
}
