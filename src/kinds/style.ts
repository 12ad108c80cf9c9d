/**
 * The style score of a code answer, in [0, 1]: the mean of four fractions from PEP 8
 * (https://peps.python.org/pep-0008/), each 1 when there is nothing to measure:
 *  - line_length: non-empty lines of at most 79 characters;
 *  - naming: names the answer binds (functions, parameters, assigned variables) in snake_case,
 *    classes in CapWords; module-level UPPER_CASE constants count as well named;
 *  - indentation: statements inside blocks indented with spaces, by a multiple of 4;
 *  - whitespace: lines without trailing whitespace.
 * Undefined for code that does not parse (the code kinds report that as syntax_error).
 */
import type { Node } from "web-tree-sitter";
import { pythonParser } from "../tasks/corpus/parser.js";

export interface StyleScore {
  score: number;
  components: { line_length: number; naming: number; indentation: number; whitespace: number };
}

export const MAX_LINE = 79; // PEP 8's limit for code lines

const SNAKE = /^_{0,2}[a-z][a-z0-9_]*_{0,2}$|^_$/;
const CAP_WORDS = /^_?[A-Z][A-Za-z0-9]*$/;
const UPPER = /^_?[A-Z][A-Z0-9_]*$/;

function fraction(good: number, total: number): number {
  return total === 0 ? 1 : good / total;
}

/** Fraction of non-empty lines of at most `max` characters. */
export function lineLengthScore(text: string, max = MAX_LINE): number {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  return fraction(lines.filter((l) => l.length <= max).length, lines.length);
}

function boundNames(root: Node): { name: string; ok: boolean }[] {
  const out: { name: string; ok: boolean }[] = [];
  for (const node of root.descendantsOfType(["function_definition", "class_definition", "parameters", "assignment", "for_statement"])) {
    if (node === null) continue;
    if (node.type === "class_definition") {
      const name = node.childForFieldName("name")?.text ?? "";
      out.push({ name, ok: CAP_WORDS.test(name) });
    } else if (node.type === "function_definition") {
      const name = node.childForFieldName("name")?.text ?? "";
      out.push({ name, ok: SNAKE.test(name) });
    } else {
      const target = node.type === "parameters" ? node : node.childForFieldName("left");
      if (target === null) continue;
      const moduleLevel = node.type === "assignment" && node.parent?.parent?.type === "module";
      const ids = node.type === "parameters" ? target.namedChildren.flatMap((p) => (p === null ? [] : p.type === "identifier" ? [p] : p.descendantsOfType("identifier").slice(0, 1))) : target.type === "identifier" ? [target] : target.descendantsOfType("identifier");
      for (const id of ids) {
        if (id === null || id.parent?.type === "attribute" || id.parent?.type === "subscript" || id.parent?.type === "type") continue;
        out.push({ name: id.text, ok: SNAKE.test(id.text) || (moduleLevel && UPPER.test(id.text)) });
      }
    }
  }
  return out;
}

function blockStatements(root: Node): Node[] {
  return root.descendantsOfType("block").flatMap((b) => (b === null ? [] : b.namedChildren.filter((s): s is Node => s !== null && s.type !== "comment")));
}

export async function styleScore(code: string): Promise<StyleScore | undefined> {
  const tree = (await pythonParser()).parse(code);
  if (tree === null) return undefined;
  try {
    if (tree.rootNode.hasError) return undefined;
    const lines = code.split("\n");
    const names = boundNames(tree.rootNode);
    const statements = blockStatements(tree.rootNode);
    const wellIndented = statements.filter((s) => {
      const lead = /^[ \t]*/.exec(lines[s.startPosition.row] ?? "")?.[0] ?? "";
      return !lead.includes("\t") && lead.length % 4 === 0;
    });
    const components = {
      line_length: lineLengthScore(code),
      naming: fraction(names.filter((n) => n.ok).length, names.length),
      indentation: fraction(wellIndented.length, statements.length),
      whitespace: fraction(lines.filter((l) => !/[ \t]+$/.test(l)).length, lines.length),
    };
    const score = (components.line_length + components.naming + components.indentation + components.whitespace) / 4;
    return { score, components };
  } finally {
    tree.delete();
  }
}
