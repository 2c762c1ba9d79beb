// The pure parts of "Check my numbers": the Python a learner pastes (Nielsen's shapes, every number exact)
// and the rule that marks each of their entries matching or differing.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { entryMatches, inExactLayout, markEntries } from '../../static/js/lib/entry-marks.js';
import { nielsenSnippet, pythonFloat } from '../../static/js/lib/nielsen-snippet.js';
import { parsePastedNumbers } from '../../static/js/lib/pasted-numbers.js';

const MODEL = {
  layer_sizes: [2, 3, 2], hidden_activation: 'sigmoid', output_activation: 'sigmoid', loss: 'mse',
  W: [[[0.1, -0.2], [0.30000000000000004, 1e-7], [-1.2345678901234567, 2]],
    [[0.5, -0.25, 1 / 3], [2.5e-12, -7, 123456789.125]]],
  b: [[0.01, -0.02, 0.03], [0, -1e21]],
};
const TOLERANCE = { relative: 1e-5, of_largest_entry: 1e-6, absolute: 1e-8 };

/** The arrays assigned to `name = [...]` (or `name = np.array(...)`) in the snippet, read back. */
function assigned(code, name) {
  const start = code.indexOf(`\n${name} = `) + 1;
  assert.notEqual(start, 0, `${name} is assigned`);
  let end = start;
  let open = 0;
  for (let i = code.indexOf('[', start); i < code.length; i++) {
    if (code[i] === '[') open += 1;
    if (code[i] === ']') open -= 1;
    if (open === 0) { end = i + 1; break; }
  }
  return parsePastedNumbers(code.slice(code.indexOf('=', start) + 1, end + (code[end] === ')' ? 1 : 0)));
}

test('a whole float is written with a decimal point, every other number in its shortest exact form', () => {
  assert.equal(pythonFloat(1), '1.0');
  assert.equal(pythonFloat(-3), '-3.0');
  assert.equal(pythonFloat(0.30000000000000004), '0.30000000000000004');
  assert.equal(pythonFloat(1e-7), '1e-7');
  assert.equal(pythonFloat(-1e21), '-1e+21');
  for (const value of [1 / 3, Math.PI, 2.5e-12, 123456789.125]) assert.equal(Number(pythonFloat(value)), value);
});

test('weights keep their (n_out, n_in) shape and every number exactly', () => {
  const code = nielsenSnippet({ model: MODEL, x: [1, 0], y: [0, 1] });
  const weights = assigned(code, 'weights');
  assert.deepEqual(weights, MODEL.W);
  assert.equal(weights[0].length, 3);
  assert.equal(weights[0][0].length, 2);
  assert.equal(code.match(/np\.array\(/g).length, 2 + 2 + 2, 'one np.array per weight, bias, x and y');
});

test('biases, x and y are column vectors (n, 1)', () => {
  const code = nielsenSnippet({ model: MODEL, x: [1, 0], y: [0, 1] });
  assert.deepEqual(assigned(code, 'biases'), [[[0.01], [-0.02], [0.03]], [[0], [-1e21]]]);
  assert.deepEqual(assigned(code, 'x'), [[1], [0]]);
  assert.deepEqual(assigned(code, 'y'), [[0], [1]]);
  assert.match(code, /^x = np\.array\(\[\[1\.0\],$/m, 'whole numbers are floats for NumPy');
});

test("the snippet sets the learner's net and prints nabla_b then nabla_w", () => {
  const code = nielsenSnippet({ model: MODEL, x: [1, 0], y: [0, 1], caption: 'step 3' });
  const lines = code.split('\n');
  const at = (line) => lines.indexOf(line);
  assert.ok(at('import numpy as np') === 0);
  assert.ok(at('# step 3') > 0);
  const order = ['net.weights, net.biases = weights, biases', 'nabla_b, nabla_w = net.backprop(x, y)',
    'print(nabla_b)', 'print(nabla_w)'].map(at);
  assert.ok(order.every((i) => i > 0), 'every line is there');
  assert.deepEqual([...order].sort((a, b) => a - b), order, 'in this order');
  assert.ok(order[0] > lines.findIndex((l) => l.startsWith('y = ')), 'after the arrays');
  assert.ok(lines.some((l) => l.includes('Network([2, 3, 2])')), 'the layer sizes are named');
});

test('an entry matches within relative·|exact| + absolute + of_largest_entry·max|exact|', () => {
  // exact 1, largest 100: allowed = 1e-5 + 1e-8 + 1e-4
  const allowed = 1e-5 * 1 + 1e-8 + 1e-6 * 100;
  assert.equal(entryMatches(1 + allowed * 0.99, 1, TOLERANCE, 100), true);
  assert.equal(entryMatches(1 - allowed * 1.01, 1, TOLERANCE, 100), false);
  // Near 0 beside small neighbours only the absolute floor is left.
  assert.equal(entryMatches(5e-9, 0, TOLERANCE, 0), true);
  assert.equal(entryMatches(2e-8, 0, TOLERANCE, 0), false);
  assert.equal(entryMatches(-1, 1, TOLERANCE, 1), false, 'a flipped sign differs');
});

test('a column vector (n, 1) is marked against the exact vector [n], entry by entry', () => {
  const marks = markEntries([[0.5], [-0.25000001], [3]], [0.5, -0.25, 2], TOLERANCE);
  assert.deepEqual(marks.map((row) => row.map((e) => e.matches)), [[true], [true], [false]]);
  assert.deepEqual(marks[2][0], { yours: 3, exact: 2, matches: false });
});

test('nabla_w is marked as given, or transposed when the server read it so', () => {
  const exact = [[1, 2, 3], [4, 5, 6]];
  const same = markEntries([[1, 2, 3], [4, 5, -6]], exact, TOLERANCE);
  assert.deepEqual(same.map((row) => row.map((e) => e.matches)), [[true, true, true], [true, true, false]]);
  assert.deepEqual(inExactLayout([[1, 4], [2, 5], [3, 6]], exact, true), exact);
  assert.equal(markEntries([[1, 4], [2, 5], [3, 6]], exact, TOLERANCE, false), null, 'read as given: no fit');
  assert.equal(markEntries([[1, 2], [3, 4]], exact, TOLERANCE), null, 'a shape that fits neither');
  assert.equal(markEntries([[1], [2], [3]], [1, 2], TOLERANCE), null);
});

test('a square nabla_w is marked the way the server read it, never the other way', () => {
  const exact = [[0.1, 0.2], [0.3, 0.4]];
  const transposed = [[0.1, 0.3], [0.2, 0.4]];
  const matches = (marks) => marks.flat().map((e) => e.matches);
  assert.deepEqual(matches(markEntries(transposed, exact, TOLERANCE, true)), [true, true, true, true]);
  assert.deepEqual(matches(markEntries(transposed, exact, TOLERANCE, false)), [true, false, false, true]);
});

test('the largest entry is taken over the whole array: a tiny entry beside a large one may be pasted roughly', () => {
  const exact = [[1000, 0]];
  const marks = markEntries([[1000, 5e-4]], exact, TOLERANCE);
  assert.equal(marks[0][1].matches, true, '5e-4 ≤ 1e-8 + 1e-6·1000');
  assert.equal(markEntries([[1000, 2e-3]], exact, TOLERANCE)[0][1].matches, false);
});
