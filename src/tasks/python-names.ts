/**
 * Light, line-based facts about Python source that adapters need to write a test file's
 * import line: which names a module binds at top level, and which names a text mentions.
 * Deliberately simple (no parser): over-importing a name the module does define is harmless,
 * and every converted test file is checked by running it (`data prepare --verify`).
 */

const DEF = /^(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)/;
const ASSIGN = /^([A-Za-z_][\w\s,]*?)\s*(?::[^=]*)?=(?!=)/;
const IMPORT = /^import\s+(.+)$/;
const FROM_IMPORT = /^from\s+\S+\s+import\s+\(?([^)#]+)\)?/;

function importedNames(list: string): string[] {
  return list
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "" && part !== "*")
    .map((part) => {
      const alias = part.split(/\s+as\s+/);
      // `import os.path` binds `os`; `import numpy as np` binds `np`
      return alias.length > 1 ? (alias[1] as string).trim() : (part.split(".")[0] as string);
    });
}

/** Names bound by statements at column 0: defs, classes, imports, plain assignments. */
export function topLevelNames(code: string): Set<string> {
  const names = new Set<string>();
  for (const line of code.split("\n")) {
    if (line === "" || /^\s/.test(line) || line.startsWith("#")) continue;
    const def = DEF.exec(line);
    if (def !== null) {
      names.add(def[1] as string);
      continue;
    }
    const imported = FROM_IMPORT.exec(line) ?? IMPORT.exec(line);
    if (imported !== null) {
      importedNames((imported[1] as string).split("#")[0] as string).forEach((n) => names.add(n));
      continue;
    }
    const assign = ASSIGN.exec(line);
    if (assign !== null) for (const target of (assign[1] as string).split(/[\s,]+/)) if (/^[A-Za-z_]\w*$/.test(target)) names.add(target);
  }
  return names;
}

/** Every identifier-like word in a text (strings and comments included: a superset). */
export function identifiersIn(text: string): Set<string> {
  return new Set(text.match(/[A-Za-z_]\w*/g) ?? []);
}

/**
 * The names a test text needs from the module: those the module binds and the text uses but
 * does not bind itself, with the entry points first.
 */
export function namesToImport(code: string, testText: string, entryPoints: string[]): string[] {
  const defined = topLevelNames(code);
  // Names the test binds itself, at any depth (an `import math` inside a function included).
  const ownNames = topLevelNames(testText.split("\n").map((line) => line.trimStart()).join("\n"));
  const used = [...identifiersIn(testText)].filter((n) => defined.has(n) && !ownNames.has(n) && !entryPoints.includes(n) && !n.startsWith("__"));
  return [...entryPoints, ...used.sort()];
}

export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

/**
 * `from <module> import a, b`, plus `name.__test__ = False` for imported names pytest would
 * otherwise collect as tests (functions named test*, classes named Test*), e.g. MBPP's
 * `test_duplicate`.
 */
export function importBlock(module: string, names: string[]): string {
  const lines = [`from ${module} import ${names.join(", ")}`];
  for (const name of names) if (/^(test|Test)/.test(name)) lines.push(`${name}.__test__ = False  # code under test, not a pytest test`);
  return lines.join("\n");
}
