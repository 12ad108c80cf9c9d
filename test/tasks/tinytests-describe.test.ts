import assert from "node:assert/strict";
import { test } from "node:test";
import { describeModule } from "../../src/tasks/tinytests/describe.js";

const fn = (name: string, params: string[], body: string[]) => ({ name, params, body, inputs: [] });

test("descriptions read the operator, constants and branches off the body", () => {
  assert.equal(
    describeModule({ functions: [fn("adjust", ["x"], ["if x >= 7:", "    return x * 8", "return x - 3"])] }, "threshold", ">="),
    "adjust(x): If x is at least 7, return x times 8; otherwise return x minus 3.",
  );
  assert.equal(
    describeModule({ functions: [fn("locate", ["xs"], ["for i, x in enumerate(xs):", "    if x == 3:", "        return i", "return len(xs)"])] }, "find_index", "=="),
    "locate(xs): Return the index of the first item of xs that equals 3; if there is none, return the length of xs.",
  );
  assert.equal(describeModule({ functions: [fn("cut", ["text"], ["return text[-2:] + 'ok'"])] }, "slice", "s[-K:]"), "cut(text): Return the last 2 characters of text, followed by 'ok'.");
});

test("a tier-5 module describes the helper, then the outer function in terms of it", () => {
  const text = describeModule({ functions: [fn("is_good", ["x"], ["return x % 3 == 0"]), fn("count_good", ["xs"], ["return sum(1 for x in xs if is_good(x))"])] }, "predicate_helper", "count");
  assert.equal(text, "is_good(x): Return whether x is divisible by 3.\ncount_good(xs): Return how many items x of xs make is_good(x) true.");
});

test("a body that matches no known form is a generator bug, not a wrong description", () => {
  assert.throws(() => describeModule({ functions: [fn("adjust", ["x"], ["return x"])] }, "threshold", ">="), /no known form/);
  assert.throws(() => describeModule({ functions: [fn("f", ["x"], ["return x"])] }, "no_such_template", "+"), /unknown template/);
});
