/** Every dataset adapter, by the name `--source` takes. */
import { UsageError } from "../../errors.js";
import { corpusSource } from "./corpus.js";
import { humanevalSource } from "./humaneval.js";
import { kodcodeSource } from "./kodcode.js";
import { mbppSource } from "./mbpp.js";
import { testgenevalSource } from "./testgeneval.js";
import { tinytestsSource } from "./tinytests.js";
import type { SourceAdapter } from "./types.js";

export type { Drop, LoadOptions, LoadResult, SourceAdapter } from "./types.js";

export const SOURCES: readonly SourceAdapter[] = [humanevalSource, mbppSource, kodcodeSource, testgenevalSource, corpusSource, tinytestsSource];

export function sourceByName(name: string): SourceAdapter {
  const source = SOURCES.find((s) => s.name === name);
  if (source === undefined) throw new UsageError(`unknown source '${name}'`, `--source takes one of: ${SOURCES.map((s) => s.name).join(", ")}`);
  return source;
}
