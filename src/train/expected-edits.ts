/**
 * Wrong expected values, made on purpose: the commonest real failure of a test writer is a check
 * like `assert f(3) == 7` when f(3) is 6. This finds, inside the test functions of a file, the
 * assertions that compare against a literal (`assert <expr> == <literal>`, either side, or
 * `assert <expr> is True|False`) and the `@pytest.mark.parametrize` cases whose expected column
 * the test compares with `==`, and changes one literal of one of them by a seeded edit
 * (src/train/literal-edits.ts), by its range in the source as tree-sitter parsed it
 * (src/tasks/corpus/parser.ts). Nothing is run here: src/train/synthetic-traces.ts runs the
 * edited file to prove it fails.
 */
import type { Node } from "web-tree-sitter";
import { stringContent } from "../kinds/python-function.js";
import { pythonParser } from "../tasks/corpus/parser.js";
import { CONTAINERS, editText, isLiteral, items, leaves } from "./literal-edits.js";
import type { Rng } from "../util/rng.js";

/** One edited test file and what was changed. */
export interface ExpectedEdit {
  /** The test file with exactly one literal changed. */
  tests: string;
  /** 1-based line of the edited assertion. */
  line: number;
  /** The test function holding it as pytest names it, without parameters: `test_f` or `TestX::test_f`. */
  test: string;
  /** Offset of the changed literal in the original file, its text before and after. */
  offset: number;
  before: string;
  after: string;
}

/** An assertion with a literal expected value (or one parametrized case of it): the literals that can be edited in it. */
interface Site {
  line: number;
  test: string;
  leaves: Node[];
}

/** The enclosing test function as pytest names it, or undefined outside a `test*` function. */
function testName(node: Node): string | undefined {
  let fn: Node | null = node.parent;
  while (fn !== null && fn.type !== "function_definition") fn = fn.parent;
  const name = fn?.childForFieldName("name")?.text;
  if (fn === null || fn === undefined || name === undefined || !name.startsWith("test")) return undefined;
  const classes: string[] = [];
  for (let p = fn.parent; p !== null; p = p.parent) {
    if (p.type === "function_definition") return undefined; // a nested function is not collected
    if (p.type === "class_definition") classes.unshift(p.childForFieldName("name")?.text ?? "");
  }
  return [...classes, name].join("::");
}

/** The two sides of `assert a == b` or `assert a is b` (one operator only), if the assertion is one. */
function comparedSides(assertion: Node, operator: "==" | "is"): [Node, Node] | undefined {
  const test = items(assertion)[0];
  if (test?.type !== "comparison_operator" || test.children.length !== 3 || test.children[1]?.type !== operator) return undefined;
  const [left, right] = [test.children[0], test.children[2]];
  return left === null || left === undefined || right === null || right === undefined ? undefined : [left, right];
}

/** The expected value of `assert a == b` (the side that is a literal when the other is not), or the bool of `assert a is True`. */
function expectedValue(assertion: Node): Node | undefined {
  const [left, right] = comparedSides(assertion, "==") ?? [];
  if (left !== undefined && right !== undefined && isLiteral(left) !== isLiteral(right)) return isLiteral(right) ? right : left;
  const [subject, bool] = comparedSides(assertion, "is") ?? [];
  // `is None` has no edit that is still an identity check Python accepts without a warning
  return subject !== undefined && !isLiteral(subject) && (bool?.type === "true" || bool?.type === "false") ? bool : undefined;
}

function assertionSites(root: Node): Site[] {
  return root.descendantsOfType("assert_statement").flatMap((assertion) => {
    const test = testName(assertion);
    const expected = expectedValue(assertion);
    const editable = expected === undefined ? [] : leaves(expected);
    return test === undefined || editable.length === 0 ? [] : [{ line: assertion.startPosition.row + 1, test, leaves: editable }];
  });
}

/** The parameter names of `parametrize("a, expected", ...)` or `parametrize(["a", "expected"], ...)`. */
function parameterNames(node: Node): string[] | undefined {
  if (node.type === "string" && isLiteral(node)) return stringContent(node).split(",").map((n) => n.trim());
  if (CONTAINERS.has(node.type) && items(node).every((n) => n.type === "string")) return items(node).map(stringContent);
  return undefined;
}

/**
 * Expected values given as parameters: `@pytest.mark.parametrize("x, expected", [(1, 2), ...])`
 * on a test that asserts `... == expected`. Each case's expected literal is a site of its own.
 */
function parametrizeSites(root: Node): Site[] {
  return root.descendantsOfType("decorator").flatMap((decorator) => {
    const call = items(decorator)[0];
    const fn = decorator.parent?.childForFieldName("definition");
    const args = call?.type === "call" ? items(call.childForFieldName("arguments") as Node) : [];
    const body = fn?.type === "function_definition" ? fn.childForFieldName("body") : null;
    const test = body === null || body === undefined ? undefined : testName(body);
    const [namesNode, casesNode] = args;
    if (!/(^|\.)parametrize$/.test(call?.childForFieldName("function")?.text ?? "") || test === undefined || namesNode === undefined || casesNode === undefined || !CONTAINERS.has(casesNode.type)) return [];
    const names = parameterNames(namesNode) ?? [];
    // the parameters the test compares against with ==, the other side not a literal
    const expectedAt = new Set(
      (body as Node).descendantsOfType("assert_statement").flatMap((a) => {
        const [left, right] = comparedSides(a, "==") ?? [];
        if (left === undefined || right === undefined) return [];
        return [left, right].flatMap((side, i) => (side.type === "identifier" && names.includes(side.text) && !isLiteral(i === 0 ? right : left) ? [names.indexOf(side.text)] : []));
      }),
    );
    return items(casesNode).flatMap((c) => {
      const values = names.length === 1 ? [c] : c.type === "tuple" || c.type === "list" ? items(c) : [];
      if (values.length !== names.length) return [];
      const editable = [...expectedAt].flatMap((i) => (isLiteral(values[i] as Node) ? leaves(values[i] as Node) : []));
      return editable.length === 0 ? [] : [{ line: c.startPosition.row + 1, test, leaves: editable }];
    });
  });
}

function sites(root: Node): Site[] {
  return [...assertionSites(root), ...parametrizeSites(root)].sort((a, b) => (a.leaves[0] as Node).startIndex - (b.leaves[0] as Node).startIndex);
}

/**
 * Up to `count` edited copies of the file, each with one literal changed in a different
 * assertion (chosen with `rng`, as are the literal and the edit).
 */
export async function expectedValueEdits(tests: string, count: number, rng: Rng): Promise<ExpectedEdit[]> {
  const tree = (await pythonParser()).parse(tests);
  if (tree === null || tree.rootNode.hasError) return [];
  return rng
    .shuffle(sites(tree.rootNode))
    .slice(0, count)
    .map((site) => {
      const leaf = rng.pick(site.leaves);
      const after = editText(leaf, rng);
      return {
        tests: `${tests.slice(0, leaf.startIndex)}${after}${tests.slice(leaf.endIndex)}`,
        line: site.line,
        test: site.test,
        offset: leaf.startIndex,
        before: leaf.text,
        after,
      };
    });
}
