/** The hallucination check and the style score shared by every kind: answers that must pass and must fail. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { answerChecks } from "../../src/kinds/answer-checks.js";
import { findPlaceholders } from "../../src/kinds/hallucination.js";
import { styleScore } from "../../src/kinds/style.js";

const CLEAN = 'def count_words(text):\n    """Count the words of text."""\n    words = text.split()\n    return len(words)\n';

test("a real implementation and a real explanation have no placeholders", async () => {
  assert.deepEqual(await findPlaceholders(CLEAN, "code"), []);
  assert.deepEqual(await findPlaceholders("class Empty(Exception):\n    pass\n\nitems = [1, ...]\n", "code"), []);
  assert.deepEqual(await findPlaceholders("Purpose: counts the words of `text`, e.g. 'a b' gives 2.\nIt splits on whitespace; todo lists count too.", "text"), []);
  // an abstract method documented as the standard library documents it
  const abstract = 'class Handler:\n    def emit(self, record):\n        """Do whatever it takes to actually log the record.\n\n        Implement this method in a subclass.\n        """\n        raise TypeError("abstract")\n';
  assert.deepEqual(await findPlaceholders(abstract, "code"), []);
});

test("each placeholder in code is named with its line", async () => {
  const stub = 'def f(x):\n    """Doc."""\n    pass\n\ndef g(x):\n    ...\n\ndef h(x):\n    raise NotImplementedError("later")\n\ndef k(x):\n    # TODO: handle negatives\n    return x  # your code here\n';
  assert.deepEqual(await findPlaceholders(stub, "code"), [
    "TODO (line 12)",
    "'your ... here' (line 13)",
    "`pass` body of f (line 1)",
    "`...` body of g (line 5)",
    "NotImplementedError stub (line 9)",
  ]);
  assert.deepEqual(await findPlaceholders("def f(x):\n    # insert the logic here\n    return 0\n", "code"), ["'insert ... here' (line 2)"]);
  assert.deepEqual(await findPlaceholders("def f(x):\n    return x  # FIXME\n", "code"), ["FIXME (line 2)"]);
  assert.deepEqual(await findPlaceholders("def f(x):\n    # implement this\n    return 0\n", "code"), ["'implement this' (line 2)"]);
  assert.deepEqual(await findPlaceholders("def f(x):\n    return 0  # Implement this function properly\n", "code"), ["'implement this' (line 2)"]);
});

test("placeholders in text answers: markers, phrases, template slots, ellipsis lines", async () => {
  assert.deepEqual(await findPlaceholders("Purpose: [describe the purpose]\nParameters: <your parameters>\n...\nTBD", "text"), [
    "template slot [describe the purpose] (line 1)",
    "template slot <your parameters> (line 2)",
    "ellipsis line (line 3)",
    "TBD (line 4)",
  ]);
  assert.deepEqual(await findPlaceholders("Behaviour: lorem ipsum dolor", "text"), ["'lorem ipsum' (line 1)"]);
  // an ellipsis line is code in a code answer (a literal), not a placeholder
  assert.deepEqual(await findPlaceholders("X = 1\n...\n", "code"), []);
});

test("the style score is 1 for PEP 8 code and drops for each kind of fault, staying in [0, 1]", async () => {
  const good = await styleScore(CLEAN);
  assert.deepEqual(good, { score: 1, components: { line_length: 1, naming: 1, indentation: 1, whitespace: 1 } });
  const bad = await styleScore(`def CountWords(Text):\n  wordList = Text.split()   \n  return len(wordList) + ${"1 + ".repeat(20)}0\n`);
  assert.ok(bad !== undefined);
  assert.deepEqual(bad.components, { line_length: 2 / 3, naming: 0, indentation: 0, whitespace: 3 / 4 });
  assert.ok(Math.abs(bad.score - (2 / 3 + 0 + 0 + 3 / 4) / 4) < 1e-12);
  const constants = await styleScore("MAX_SIZE = 10\n\n\nclass Box:\n    def __init__(self, size=MAX_SIZE):\n        self.size = size\n");
  assert.equal(constants?.score, 1);
  assert.equal(await styleScore("def f(:\n"), undefined);
});

test("answerChecks gives code answers a style score and text answers none", async () => {
  assert.deepEqual(await answerChecks(CLEAN, "code"), { hallucination: [], style: 1 });
  assert.deepEqual(await answerChecks("Purpose: TODO", "text"), { hallucination: ["TODO (line 1)"] });
  assert.deepEqual(await answerChecks("def f(:\n    pass\n", "code"), { hallucination: [] });
});
