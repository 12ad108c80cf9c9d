/**
 * What a Python module defines at top level, by name, for pulling a function's context out of
 * its file: imports, assignments (globals), functions and classes, each as a line range.
 */
import type { Node } from "web-tree-sitter";

export interface Statement {
  kind: "import" | "future" | "global" | "function" | "class" | "star-import";
  node: Node;
  /** Line range in the file, 0-based inclusive, decorators included. */
  first: number;
  last: number;
  names: string[];
  relative: boolean;
}

export interface ModuleIndex {
  statements: Statement[];
  /** Name -> the statements that bind it (the last binding wins when executed, all are kept). */
  byName: Map<string, Statement[]>;
}

function importNames(node: Node): string[] {
  const names: string[] = [];
  for (const child of node.namedChildren) {
    if (child === null) continue;
    if (child.type === "aliased_import") names.push(child.childForFieldName("alias")?.text ?? "");
    else if (child.type === "dotted_name" && child !== node.childForFieldName("module_name")) {
      names.push(node.type === "import_statement" ? (child.text.split(".")[0] as string) : (child.text.split(".").pop() as string));
    }
  }
  return names.filter((n) => n !== "");
}

function assignedNames(node: Node): string[] {
  const names: string[] = [];
  for (const child of node.namedChildren) {
    if (child?.type !== "assignment" && child?.type !== "augmented_assignment") continue;
    const left = child.childForFieldName("left");
    if (left === null) continue;
    if (left.type === "identifier") names.push(left.text);
    else for (const id of left.descendantsOfType("identifier")) if (id !== null && id.parent?.type !== "attribute" && id.parent?.type !== "subscript") names.push(id.text);
  }
  return names;
}

/** Names bound anywhere inside a top-level try/if block (imports, assignments, defs). */
function nestedBindings(node: Node): string[] {
  const names: string[] = [];
  for (const inner of node.descendantsOfType(["import_statement", "import_from_statement", "expression_statement", "function_definition", "class_definition"])) {
    if (inner === null) continue;
    if (inner.type === "expression_statement") names.push(...assignedNames(inner));
    else if (inner.type.startsWith("import")) names.push(...importNames(inner));
    else names.push(inner.childForFieldName("name")?.text ?? "");
  }
  return names.filter((n) => n !== "");
}

/** The definition inside a decorated_definition, or the node itself. */
export function definitionOf(node: Node): Node {
  return node.type === "decorated_definition" ? (node.childForFieldName("definition") ?? node) : node;
}

function statementOf(node: Node): Statement | undefined {
  const range = { node, first: node.startPosition.row, last: node.endPosition.row, relative: false };
  switch (node.type) {
    case "future_import_statement":
      return { ...range, kind: "future", names: [] };
    case "import_statement":
      return { ...range, kind: "import", names: importNames(node) };
    case "import_from_statement": {
      const relative = node.childForFieldName("module_name")?.type === "relative_import";
      const star = node.namedChildren.some((c) => c?.type === "wildcard_import");
      return { ...range, kind: star ? "star-import" : "import", names: importNames(node), relative };
    }
    case "expression_statement": {
      const names = assignedNames(node);
      return names.length === 0 ? undefined : { ...range, kind: "global", names };
    }
    case "try_statement":
    case "if_statement": {
      if (node.type === "if_statement" && /__name__\s*==/.test(node.childForFieldName("condition")?.text ?? "")) return undefined;
      const names = nestedBindings(node);
      return names.length === 0 ? undefined : { ...range, kind: "global", names };
    }
    case "function_definition":
    case "class_definition":
    case "decorated_definition": {
      const definition = definitionOf(node);
      const name = definition.childForFieldName("name")?.text;
      if (name === undefined) return undefined;
      return { ...range, kind: definition.type === "class_definition" ? "class" : "function", names: [name] };
    }
    default:
      return undefined;
  }
}

export function indexModule(root: Node): ModuleIndex {
  const statements: Statement[] = [];
  const byName = new Map<string, Statement[]>();
  for (const child of root.namedChildren) {
    if (child === null) continue;
    const statement = statementOf(child);
    if (statement === undefined) continue;
    statements.push(statement);
    for (const name of statement.names) byName.set(name, [...(byName.get(name) ?? []), statement]);
  }
  return { statements, byName };
}

/**
 * Identifiers a subtree mentions (attribute names included: over-approximates, never misses).
 * Memoised per node id: crossing into the WebAssembly tree is the slow part of extraction.
 */
export function identifiersOf(node: Node, memo?: Map<number, Set<string>>): Set<string> {
  const cached = memo?.get(node.id);
  if (cached !== undefined) return cached;
  const names = new Set(node.descendantsOfType("identifier").flatMap((n) => (n === null ? [] : [n.text])));
  memo?.set(node.id, names);
  return names;
}
