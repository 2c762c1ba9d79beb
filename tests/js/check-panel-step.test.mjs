// "Check my numbers", one training step: the code that runs the learner's update_mini_batch (the run's first
// examples and its η), and the gradient read back from their weights after it, (before − after) / η.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { nielsenSnippet, stepSnippet } from '../../static/js/lib/nielsen-snippet.js';
import { parsePastedNumbers } from '../../static/js/lib/pasted-numbers.js';
import { STEP_EXAMPLES, StepShapeError, stepBatch, stepGradients } from '../../static/js/lib/step-gradient.js';
import { STEP_MODE } from '../../static/js/views/check-modes.js';

const MODEL = {
  layer_sizes: [2, 3, 2], hidden_activation: 'sigmoid', output_activation: 'sigmoid', loss: 'mse',
  W: [[[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], [[0.7, -0.8, 0.9], [1, -1.1, 1.2]]],
  b: [[0.01, -0.02, 0.03], [0.5, -0.25]],
};
const ETA = 0.5;

/** The weights after a step along `grad` (same shapes as MODEL.W / MODEL.b), as NumPy would compute them. */
const stepped = (arrays, grad) => arrays.map((a, l) => a.map((row, i) => (Array.isArray(row)
  ? row.map((w, j) => w - ETA * grad[l][i][j]) : row - ETA * grad[l][i])));
const GRAD_W = [[[1, 2], [3, 4], [5, 6]], [[-1, 0, 1], [2, -2, 0.5]]];
const GRAD_B = [[0.5, -0.5, 1], [2, -4]];
const column = (v) => v.map((x) => [x]);

const snapshot = (n) => ({
  run: 'a', kind: 'sigmoid_mse', step: 7, model: MODEL, eta: ETA, example: 0, x: [1, 0], y: [1, 0],
  inputs: Array.from({ length: n }, (_, i) => [i, 2 * i + 1]), labels: Array.from({ length: n }, (_, i) => [i % 2, 1 - (i % 2)]),
});

test('the gradient of a step is (before − after) / η, per weight and bias', () => {
  const after = { weights: stepped(MODEL.W, GRAD_W), biases: stepped(MODEL.b, GRAD_B).map(column) };
  const found = stepGradients(MODEL, after, ETA);
  assert.equal(found.unchanged, false);
  found.grad_W.forEach((layer, l) => layer.forEach((row, i) => row.forEach((g, j) =>
    assert.ok(Math.abs(g - GRAD_W[l][i][j]) < 1e-12, `grad_W[${l}][${i}][${j}]`))));
  found.grad_b.forEach((layer, l) => layer.forEach((g, i) => assert.ok(Math.abs(g - GRAD_B[l][i]) < 1e-12)));
  assert.deepEqual(found.grad_b.map((b) => b.length), [3, 2], 'biases come back as vectors [n]');
});

test('biases are read as Nielsen’s columns (n, 1), rows (1, n) or flat lists alike', () => {
  const flat = stepped(MODEL.b, GRAD_B);
  const asColumns = stepGradients(MODEL, { biases: flat.map(column) }, ETA).grad_b;
  assert.deepEqual(stepGradients(MODEL, { biases: flat }, ETA).grad_b, asColumns);
  assert.deepEqual(stepGradients(MODEL, { biases: flat.map((b) => [b]) }, ETA).grad_b, asColumns);
});

test('weights pasted from before the step are unchanged, even rounded to NumPy’s 8 decimals', () => {
  const rounded = MODEL.W.map((w) => w.map((row) => row.map((v) => Number((v + 3e-9).toFixed(8)))));
  assert.equal(stepGradients(MODEL, { weights: MODEL.W }, ETA).unchanged, true);
  assert.equal(stepGradients(MODEL, { weights: rounded }, ETA).unchanged, true);
  const oneMoved = structuredClone(MODEL.W);
  oneMoved[1][0][2] -= 1e-4;
  assert.equal(stepGradients(MODEL, { weights: oneMoved }, ETA).unchanged, false);
  assert.deepEqual(STEP_MODE.requests(snapshot(2), { weights: MODEL.W }), { unchanged: true });
});

test('an array that does not fit names its field, its layer and the shape that fits', () => {
  const wrongShape = [MODEL.W[0].map((row) => row.slice(0, 1)), MODEL.W[1]];
  assert.throws(() => stepGradients(MODEL, { weights: wrongShape }, ETA),
    (e) => e instanceof StepShapeError && e.field === 'weights' && e.reason === 'wrong_shape' && e.layer === 0
      && e.expected.join() === '3,2');
  assert.throws(() => stepGradients(MODEL, { biases: [[1, 2, 3]] }, ETA),
    (e) => e.field === 'biases' && e.reason === 'layer_count' && e.expected === 2);
  assert.throws(() => stepGradients(MODEL, { biases: [[1, 2, 3], [1, 2, 3]] }, ETA),
    (e) => e.field === 'biases' && e.layer === 1 && e.expected.join() === '2,1');
});

test('the step is sent as the engine’s grad_W and grad_b over the batch, with η, and nothing as δ', () => {
  const after = { weights: stepped(MODEL.W, GRAD_W), biases: stepped(MODEL.b, GRAD_B).map(column) };
  const { check, backprop, arrays } = STEP_MODE.requests(snapshot(3), after);
  assert.deepEqual(Object.keys(check).sort(), ['inputs', 'labels', 'learning_rate', 'model', 'yours']);
  assert.equal(check.learning_rate, ETA);
  assert.deepEqual(check.inputs, [[0, 1], [1, 3], [2, 5]]);
  assert.deepEqual(backprop, { model: MODEL, inputs: check.inputs, labels: check.labels });
  assert.deepEqual(check.yours.layers.map((layer) => Object.keys(layer).sort()), [['grad_W', 'grad_b'], ['grad_W', 'grad_b']]);
  assert.deepEqual(check.yours.layers[1].grad_b.map((g) => Math.round(g * 1e9) / 1e9), GRAD_B[1]);
  assert.deepEqual(arrays.map((a) => [a.name, a.quantity, a.layer]),
    [['weights[0]', 'grad_W', 0], ['weights[1]', 'grad_W', 1], ['biases[0]', 'grad_b', 0], ['biases[1]', 'grad_b', 1]]);
  assert.deepEqual(STEP_MODE.requests(snapshot(3), { biases: after.biases }).check.yours.layers.map(Object.keys),
    [['grad_b'], ['grad_b']], 'only what was pasted');
  assert.equal(STEP_MODE.refused('yours.layers.1.grad_W').name, 'weights');
  assert.equal(STEP_MODE.refused('yours.layers.0.grad_b').name, 'biases');
  assert.equal(STEP_MODE.refused('inputs'), null);
});

test(`the mini-batch is the run's first ${STEP_EXAMPLES} examples, and says how many there are`, () => {
  assert.deepEqual(stepBatch(snapshot(3)), { inputs: snapshot(3).inputs, labels: snapshot(3).labels, total: 3 });
  const many = stepBatch(snapshot(20));
  assert.equal(many.inputs.length, STEP_EXAMPLES);
  assert.equal(many.total, 20);
  assert.match(STEP_MODE.what(snapshot(20)), new RegExp(`\\b${STEP_EXAMPLES}\\b.*\\b20\\b`));
});

/** The value after `name = ` on its own line of the snippet, read back as numbers (up to the line's end
 * for one-line values, else to the closing bracket of the block). */
function assignedBlock(code, name) {
  const lines = code.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${name} = `));
  assert.ok(start >= 0, `${name} is assigned`);
  const end = lines.findIndex((l, i) => i >= start && l === ']');
  return lines.slice(start, end + 1).join('\n').slice(name.length + 3);
}

test('the step snippet gives the weights, every example of the batch as (x, y) columns, η, and prints after', () => {
  const taken = snapshot(3);
  const code = STEP_MODE.snippet(taken, 'step 7');
  const lines = code.split('\n');
  assert.deepEqual(parsePastedNumbers(assignedBlock(code, 'weights')), MODEL.W);
  const tuples = assignedBlock(code, 'mini_batch').replace(/^ {4}\(/gm, '    ').replace(/\)\),$/gm, '),');
  const batch = parsePastedNumbers(tuples);
  assert.deepEqual(batch, taken.inputs.flatMap((x, i) => [column(x), column(taken.labels[i])]), 'x, y per example');
  assert.equal(lines.filter((l) => /^ {4}\(np\.array\(.*\), np\.array\(.*\)\),$/.test(l)).length, 3, 'one tuple a line');
  assert.ok(lines.some((l) => /^eta = 0\.5\b/.test(l)));
  const order = ['net.weights, net.biases = weights, biases', 'net.update_mini_batch(mini_batch, eta)',
    'print(net.weights)', 'print(net.biases)'].map((l) => lines.indexOf(l));
  assert.ok(order.every((i) => i > 0));
  assert.deepEqual([...order].sort((a, b) => a - b), order, 'in this order');
  assert.ok(lines.some((l) => l.includes("floatmode='unique'")), 'every digit: (before − after) / η cancels most');
  assert.ok(!lines.some((l) => l.includes('backprop(x, y)')));
});

test('the step snippet says when the batch is the first examples of more, and not otherwise', () => {
  const few = stepSnippet({ model: MODEL, ...stepBatch(snapshot(3)), eta: 2 });
  const many = stepSnippet({ model: MODEL, ...stepBatch(snapshot(20)), eta: 2 });
  const numbersAbove = (code) => {
    const lines = code.split('\n');
    return lines[lines.indexOf('mini_batch = [') - 1].match(/\d+/g) ?? [];
  };
  assert.deepEqual(numbersAbove(few), []);
  assert.deepEqual(numbersAbove(many), [String(STEP_EXAMPLES), '20']);
  assert.equal(many.split('\n').filter((l) => l.startsWith('    (np.array(')).length, STEP_EXAMPLES);
  assert.ok(many.includes('eta = 2.0'), 'a whole η is a float');
});

test('the example snippet is unchanged by the step mode: it still prints nabla_b and nabla_w', () => {
  const code = nielsenSnippet({ model: MODEL, x: [1, 0], y: [0, 1] });
  assert.ok(code.includes('nabla_b, nabla_w = net.backprop(x, y)'));
  assert.ok(!code.includes('mini_batch'));
});
