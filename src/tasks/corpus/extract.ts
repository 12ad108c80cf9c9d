/**
 * Extracts testable units from a Python module: top-level functions and the methods of
 * top-level classes whose definition is minLines..maxLines long, each as a standalone module
 * with the context it needs from its file: the imports, globals, helper functions and classes
 * it uses (transitively), and for a method its class header, class attributes, __init__ and
 * the sibling methods it calls. A unit whose context needs a relative import (it cannot run
 * outside its package), grows past maxContextLines, or does not parse is skipped and counted.
 */
import type { Node, Parser } from "web-tree-sitter";
import { definitionOf, identifiersOf, indexModule, type ModuleIndex, type Statement } from "./module-index.js";

export interface ExtractOptions {
  minLines: number;
  maxLines: number;
  /** Upper bound on the whole extracted module. */
  maxContextLines: number;
}

export interface CorpusUnit {
  /** e.g. "dumps" or "JSONEncoder.encode" */
  qualname: string;
  /** What a test imports: the function, or the method's class. */
  entryPoint: string;
  kind: "function" | "method";
  code: string;
  /** Lines of the function or method itself. */
  lines: number;
}

export interface ExtractResult {
  units: CorpusUnit[];
  /** Candidates not extracted, by reason. */
  skipped: Record<string, number>;
}

type Memo = Map<number, Set<string>>;

interface Block {
  first: number;
  text: string;
  kind: Statement["kind"] | "class-part";
}

/** Module statements needed by a set of names, following what each pulls in. */
function closure(index: ModuleIndex, names: Iterable<string>, exclude: Set<Statement>, memo: Memo): Set<Statement> {
  const chosen = new Set<Statement>();
  const queue = [...names];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const statement of index.byName.get(name) ?? []) {
      if (exclude.has(statement) || chosen.has(statement)) continue;
      chosen.add(statement);
      if (statement.kind !== "import") queue.push(...identifiersOf(statement.node, memo));
    }
  }
  for (const statement of index.statements) if (statement.kind === "future" || statement.kind === "star-import") chosen.add(statement);
  return chosen;
}

function slice(lines: string[], first: number, last: number): string {
  return lines.slice(first, last + 1).join("\n");
}

function group(kind: Block["kind"]): "imports" | "globals" | "definition" {
  if (kind === "import" || kind === "future" || kind === "star-import") return "imports";
  return kind === "global" ? "globals" : "definition";
}

/** Joins blocks in file order: imports together, globals together, definitions two blank lines apart. */
function assemble(blocks: Block[]): string {
  const sorted = [...blocks].sort((a, b) => a.first - b.first);
  let out = "";
  sorted.forEach((block, i) => {
    const previous = sorted[i - 1];
    const together = previous !== undefined && group(previous.kind) === group(block.kind) && group(block.kind) !== "definition";
    out += i === 0 ? block.text : `${together ? "\n" : "\n\n\n"}${block.text}`;
  });
  return `${out}\n`;
}

/** The class reduced to what one method needs: header, non-method statements, __init__, called siblings. */
function classPart(lines: string[], classStatement: Statement, method: Node, memo: Memo): { block: Block; used: Set<string> } | undefined {
  const definition = definitionOf(classStatement.node);
  const body = definition.childForFieldName("body");
  if (body === null || body.startPosition.row <= definition.startPosition.row) return undefined;
  const members = body.namedChildren.filter((n): n is Node => n !== null);
  const methods = new Map<string, Node[]>();
  for (const member of members) {
    const name = definitionOf(member).type === "function_definition" ? definitionOf(member).childForFieldName("name")?.text : undefined;
    if (name !== undefined) methods.set(name, [...(methods.get(name) ?? []), member]);
  }
  // Class-level statements are always kept; they can name methods too (`pid = ident`).
  const keep = new Set<Node>();
  const queue = [method, ...(methods.get("__init__") ?? []), ...members.filter((m) => definitionOf(m).type !== "function_definition")];
  while (queue.length > 0) {
    const member = queue.pop() as Node;
    if ([...keep].some((k) => k.id === member.id)) continue;
    keep.add(member);
    for (const name of identifiersOf(member, memo)) for (const sibling of methods.get(name) ?? []) queue.push(sibling);
  }
  const kept = members.filter((m) => [...keep].some((k) => k.id === m.id));
  const header = slice(lines, classStatement.first, body.startPosition.row - 1);
  const parts = kept.map((m) => slice(lines, m.startPosition.row, m.endPosition.row));
  const bases = definition.childForFieldName("superclasses");
  const used = new Set(bases === null ? [] : identifiersOf(bases, memo));
  if (classStatement.node.type === "decorated_definition") for (const n of identifiersOf(classStatement.node, memo)) used.add(n);
  for (const m of kept) for (const n of identifiersOf(m, memo)) used.add(n);
  return { block: { first: classStatement.first, text: `${header}\n${parts.join("\n\n")}`, kind: "class-part" }, used };
}

function candidates(index: ModuleIndex): { node: Node; qualname: string; entryPoint: string; kind: CorpusUnit["kind"]; owner?: Statement }[] {
  const out: ReturnType<typeof candidates> = [];
  for (const statement of index.statements) {
    const name = statement.names[0] as string;
    if (statement.kind === "function") out.push({ node: statement.node, qualname: name, entryPoint: name, kind: "function" });
    if (statement.kind !== "class") continue;
    const body = definitionOf(statement.node).childForFieldName("body");
    for (const member of body?.namedChildren ?? []) {
      if (member === null || definitionOf(member).type !== "function_definition") continue;
      const method = definitionOf(member).childForFieldName("name")?.text ?? "";
      if (/^__\w+__$/.test(method)) continue; // dunders are exercised through their class, not tested one by one
      out.push({ node: member, qualname: `${name}.${method}`, entryPoint: name, kind: "method", owner: statement });
    }
  }
  return out;
}

export function extractUnits(parser: Parser, source: string, options: ExtractOptions): ExtractResult {
  const skipped: Record<string, number> = {};
  const skip = (reason: string): void => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };
  const tree = parser.parse(source);
  if (tree === null) return { units: [], skipped: { "file does not parse": 1 } };
  const lines = source.split("\n");
  const index = indexModule(tree.rootNode);
  const units: CorpusUnit[] = [];
  const memo: Memo = new Map();
  for (const candidate of candidates(index)) {
    const length = candidate.node.endPosition.row - candidate.node.startPosition.row + 1;
    if (length < options.minLines) {
      skip(`shorter than ${options.minLines} lines`);
      continue;
    }
    if (length > options.maxLines) {
      skip(`longer than ${options.maxLines} lines`);
      continue;
    }
    if (candidate.node.hasError) {
      skip("syntax error");
      continue;
    }
    const blocks: Block[] = [];
    let used: Set<string>;
    const exclude = new Set<Statement>();
    if (candidate.owner !== undefined) {
      const part = classPart(lines, candidate.owner, candidate.node, memo);
      if (part === undefined) {
        skip("one-line class body");
        continue;
      }
      blocks.push(part.block);
      used = part.used;
      exclude.add(candidate.owner);
    } else {
      used = identifiersOf(candidate.node, memo);
      const own = index.statements.find((s) => s.node.id === candidate.node.id) as Statement;
      exclude.add(own);
      blocks.push({ first: own.first, text: slice(lines, own.first, own.last), kind: "function" });
    }
    const context = closure(index, used, exclude, memo);
    if ([...context].some((s) => s.relative)) {
      skip("needs a relative import");
      continue;
    }
    for (const statement of context) blocks.push({ first: statement.first, text: slice(lines, statement.first, statement.last), kind: statement.kind });
    const code = assemble(blocks);
    if (code.split("\n").length > options.maxContextLines) {
      skip(`context longer than ${options.maxContextLines} lines`);
      continue;
    }
    const check = parser.parse(code);
    const parses = check !== null && !check.rootNode.hasError;
    check?.delete();
    if (!parses) {
      skip("extracted module does not parse");
      continue;
    }
    units.push({ qualname: candidate.qualname, entryPoint: candidate.entryPoint, kind: candidate.kind, code, lines: length });
  }
  tree.delete();
  return { units, skipped };
}
