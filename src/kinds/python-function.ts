/**
 * What the text kinds need to know about one Python function, read from its syntax tree with
 * tree-sitter (src/tasks/corpus/parser.ts): its real parameters, whether it returns or yields a
 * value, what it raises, and its docstring with where it sits.
 *
 * tree-sitter rather than Python's ast through the executor: these facts are needed for every
 * docstring and explain check and for every corpus function, synchronously and in-process; the
 * grammar is already a dependency (the corpus adapter), and nothing here runs the code.
 */
import type { Node } from "web-tree-sitter";
import { definitionOf } from "../tasks/corpus/module-index.js";
import { pythonParser } from "../tasks/corpus/parser.js";

export interface FunctionFacts {
  /** The function's own name. */
  name: string;
  /** Parameter names in order, without `*`/`**` and without a method's self or cls. */
  params: string[];
  /** Some `return` in the function's own body (not a nested def or lambda) returns a value. */
  returnsValue: boolean;
  /** The function yields (a generator). */
  yields: boolean;
  /** Exception names raised in the function's own body, in order, without repeats. */
  raises: string[];
  /** The docstring, cleaned as inspect.cleandoc does; undefined when there is none. */
  docstring?: string;
  /** Byte offsets of the whole docstring statement in the code, for stripping it. */
  docstringRange?: { start: number; end: number; line: number };
  /** The function's body holds nothing but its docstring. */
  onlyDocstring: boolean;
  /** The `def` line(s) up to the colon. */
  signature: string;
  /** 0-based line of the `def`. */
  line: number;
  /** The indentation of the body's first line as written (tabs kept); undefined for a body on the `def` line. */
  bodyIndent?: string;
}

/** Nodes of the given types under `root`, not descending into nested functions, lambdas or classes. */
export function ownDescendants(root: Node, types: readonly string[]): Node[] {
  const out: Node[] = [];
  const walk = (node: Node): void => {
    for (const child of node.namedChildren) {
      if (child === null) continue;
      if (types.includes(child.type)) out.push(child);
      if (child.type === "function_definition" || child.type === "lambda" || child.type === "class_definition") continue;
      walk(child);
    }
  };
  walk(root);
  return out;
}

function paramName(node: Node): string | undefined {
  switch (node.type) {
    case "identifier":
      return node.text;
    case "default_parameter":
    case "typed_default_parameter":
      return node.childForFieldName("name")?.text;
    case "typed_parameter":
    case "list_splat_pattern":
    case "dictionary_splat_pattern": {
      const inner = node.namedChildren.find((c) => c !== null && c.type !== "type");
      return inner === undefined || inner === null ? undefined : paramName(inner);
    }
    default: // keyword_separator (*), positional_separator (/)
      return undefined;
  }
}

/** The text inside a string literal's quotes (prefix and quotes removed, escapes kept as written). */
export function stringContent(node: Node): string {
  const start = node.namedChildren.find((c) => c?.type === "string_start");
  const end = node.namedChildren.find((c) => c?.type === "string_end");
  if (start === undefined || start === null || end === undefined || end === null) return node.text;
  return node.text.slice(start.endIndex - node.startIndex, end.startIndex - node.startIndex);
}

/** inspect.cleandoc: tabs expanded, the common indentation of lines after the first removed, blank edges dropped. */
export function cleandoc(text: string): string {
  const lines = text.replace(/\t/g, "        ").split("\n");
  const indents = lines.slice(1).filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length);
  const margin = indents.length === 0 ? 0 : Math.min(...indents);
  const out = [(lines[0] as string).trimStart(), ...lines.slice(1).map((l) => l.slice(margin).trimEnd())];
  while (out.length > 0 && (out[0] as string).trim() === "") out.shift();
  while (out.length > 0 && (out[out.length - 1] as string).trim() === "") out.pop();
  return out.join("\n");
}

/** The string node of a body's docstring, when its first statement is a lone string. */
export function docstringNode(body: Node | null): { statement: Node; string: Node } | undefined {
  const first = body?.namedChildren.find((c) => c !== null && c.type !== "comment");
  if (first === undefined || first === null || first.type !== "expression_statement" || first.namedChildCount !== 1) return undefined;
  const string = first.namedChildren[0];
  return string !== null && string !== undefined && string.type === "string" ? { statement: first, string } : undefined;
}

function isStaticMethod(statement: Node): boolean {
  return statement.type === "decorated_definition" && statement.namedChildren.some((c) => c?.type === "decorator" && /^@\s*staticmethod\b/.test(c.text));
}

function factsOf(statement: Node, method: boolean, code: string): FunctionFacts {
  const fn = definitionOf(statement);
  const body = fn.childForFieldName("body");
  const params = (fn.childForFieldName("parameters")?.namedChildren ?? []).flatMap((p) => (p === null ? [] : (paramName(p) ?? [])));
  if (method && !isStaticMethod(statement) && params.length > 0) params.shift(); // self, or cls of a classmethod
  const raises: string[] = [];
  for (const raise of body === null ? [] : ownDescendants(body, ["raise_statement"])) {
    const target = raise.namedChildren[0];
    const name = target === null || target === undefined ? undefined : /^[A-Za-z_][\w.]*/.exec(target.type === "call" ? (target.childForFieldName("function")?.text ?? "") : target.text)?.[0];
    if (name !== undefined && !raises.includes(name)) raises.push(name);
  }
  const returns = body === null ? [] : ownDescendants(body, ["return_statement"]);
  const doc = docstringNode(body);
  const colon = fn.children.find((c) => c?.type === ":");
  const facts: FunctionFacts = {
    name: fn.childForFieldName("name")?.text ?? "",
    params,
    returnsValue: returns.some((r) => r.namedChildCount > 0 && r.namedChildren[0]?.text !== "None"),
    yields: body !== null && ownDescendants(body, ["yield"]).length > 0,
    raises,
    onlyDocstring: doc !== undefined && (body?.namedChildren.filter((c) => c !== null && c.type !== "comment").length ?? 0) === 1,
    signature: code.slice(fn.startIndex, colon === undefined || colon === null ? fn.startIndex : colon.endIndex),
    line: fn.startPosition.row,
  };
  const colonRow = colon === undefined || colon === null ? fn.startPosition.row : colon.endPosition.row;
  if (body !== null && body.startPosition.row > colonRow) facts.bodyIndent = /^[ \t]*/.exec(code.split("\n")[body.startPosition.row] ?? "")?.[0] ?? "";
  if (doc !== undefined) {
    facts.docstring = cleandoc(stringContent(doc.string));
    facts.docstringRange = { start: doc.statement.startIndex, end: doc.statement.endIndex, line: doc.statement.startPosition.row };
  }
  return facts;
}

function functionStatement(root: Node, name: string): Node | undefined {
  return root.namedChildren.find((c): c is Node => c !== null && definitionOf(c).type === "function_definition" && definitionOf(c).childForFieldName("name")?.text === name);
}

/**
 * The facts of a top-level function (`name`) or a method (`Class.name`) of `code`; undefined
 * when the code does not parse or has no such function. Byte offsets index `Buffer.from(code)`,
 * which equals string offsets for ASCII code (see stripDocstring).
 */
export async function functionFacts(code: string, qualname: string): Promise<FunctionFacts | undefined> {
  const parser = await pythonParser();
  const tree = parser.parse(code);
  if (tree === null) return undefined;
  try {
    if (tree.rootNode.hasError) return undefined;
    const [owner, method] = qualname.includes(".") ? (qualname.split(".", 2) as [string, string]) : [undefined, qualname];
    let scope: Node | null = tree.rootNode;
    if (owner !== undefined) {
      const cls = tree.rootNode.namedChildren.find((c) => c !== null && definitionOf(c).type === "class_definition" && definitionOf(c).childForFieldName("name")?.text === owner);
      scope = cls === undefined || cls === null ? null : definitionOf(cls).childForFieldName("body");
    }
    const statement = scope === null ? undefined : functionStatement(scope, method);
    return statement === undefined ? undefined : factsOf(statement, owner !== undefined, code);
  } finally {
    tree.delete();
  }
}

/** The code with the function's docstring statement removed (a `pass` left where it was the whole body). */
export function stripDocstring(code: string, facts: FunctionFacts): string {
  if (facts.docstringRange === undefined) return code;
  const bytes = Buffer.from(code);
  const { start, end } = facts.docstringRange;
  const before = bytes.subarray(0, start).toString();
  const after = bytes.subarray(end).toString();
  if (facts.onlyDocstring) return `${before}pass${after}`;
  // drop the docstring's own lines: from the start of its line to the end of its last line
  const lineStart = before.lastIndexOf("\n") + 1;
  const rest = after.startsWith("\n") ? after.slice(1) : after;
  return before.slice(0, lineStart) + rest;
}

/**
 * A cleaned docstring (escapes as written in the source) quoted and indented as it sits in a
 * function body; only a `"""` inside is escaped.
 */
export function quoteDocstring(text: string, indent = "    "): string {
  const safe = text.replace(/"""/g, '\\"\\"\\"');
  const lines = safe.split("\n");
  if (lines.length === 1) return `${indent}"""${lines[0]}"""`;
  return [`${indent}"""${lines[0]}`, ...lines.slice(1).map((l) => (l.trim() === "" ? "" : `${indent}${l}`)), `${indent}"""`].join("\n");
}
