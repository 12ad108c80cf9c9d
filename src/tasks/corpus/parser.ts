/**
 * The Python parser: tree-sitter compiled to WebAssembly (web-tree-sitter) with the grammar's
 * own .wasm from the tree-sitter-python package, so nothing is compiled on install.
 */
import { createRequire } from "node:module";
import { Language, Parser } from "web-tree-sitter";
import { EnvError } from "../../errors.js";

let parser: Promise<Parser> | undefined;

async function create(): Promise<Parser> {
  const require = createRequire(import.meta.url);
  let wasm: string;
  try {
    wasm = require.resolve("tree-sitter-python/tree-sitter-python.wasm");
  } catch (error) {
    throw new EnvError("the tree-sitter-python package (its .wasm grammar) is not installed", { hint: "run npm install in the testtune package", cause: error });
  }
  await Parser.init();
  const instance = new Parser();
  instance.setLanguage(await Language.load(wasm));
  return instance;
}

/** One shared parser (parsing is synchronous, so sharing is safe). */
export function pythonParser(): Promise<Parser> {
  parser ??= create();
  return parser;
}
