// The code view's pure parts: the live numbers beside each equation, the lines picked for a run, the script's
// file name, a refused export put at its field, and the view in the link.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { installDom } from './dom.mjs';
import { HELLO, configured, frame } from './fixtures.mjs';

installDom();
const { codeNumbers, shortVector } = await import('../../static/js/views/math/code-numbers.js');
const { codeLines } = await import('../../static/js/views/math/code-view.js');
const { attachmentName, createScriptDownload } = await import('../../static/js/script-download.js');
const { parseHash, toHash } = await import('../../static/js/settings.js');

test('the numbers beside the lines are the selected example’s, from the frame', () => {
  const state = { configured: configured(), frame: frame(3) };
  state.frame.runs[1].output.example = 1;
  const numbers = codeNumbers(state, 1);
  assert.deepEqual(numbers.forward, ['x = [1, 0]']);
  assert.deepEqual(numbers.output, ['a = [0.4, 0.6]']);
  assert.deepEqual(numbers.BP1, ['delta = [-0.1, 0.1]']);
  assert.equal(numbers.cost[1], 'C = 0.7 (all examples)');
  assert.deepEqual(numbers.update, ['this run: ‖nabla_w[0]‖ = 0.2']);
});

test('BP2 shows each hidden layer’s own mean δ, and BP3 the run’s own bias gradient, zero or N times too large', () => {
  const state = { configured: configured(), frame: frame(3) };
  const layer = (gradB, meanDelta) => ({ ...state.frame.runs[0].layers[0], grad_b_norm: gradB,
    delta_mean_norm: meanDelta });
  state.frame.runs[0].layers = [layer(0, 0.3), layer(0, 0.25)]; // bias_gradient_missing: nabla_b = zeros
  state.frame.runs[1].layers = [layer(0.8, 0.4), layer(0.5, 0.25)]; // sum_not_mean over two examples
  const missing = codeNumbers(state, 0);
  assert.deepEqual(missing.BP2, ['layer 1: ‖mean δ‖ = 0.3']);
  assert.equal(missing.BP3[1], 'this run: ‖nabla_b[-1]‖ = 0');
  const summed = codeNumbers(state, 1);
  assert.deepEqual(summed.BP2, ['layer 1: ‖mean δ‖ = 0.4']);
  assert.equal(summed.BP3[1], 'this run: ‖nabla_b[-1]‖ = 0.5');
});

test('a diverged run has no numbers but its input', () => {
  const state = { configured: configured(), frame: frame(3) };
  Object.assign(state.frame.runs[0], { status: 'diverged', outputs: [], output: {}, layers: [] });
  const numbers = codeNumbers(state, 0);
  assert.deepEqual(numbers.BP1, []);
  assert.deepEqual(numbers.output, []);
});

test('a long vector shows its first four numbers and how many more', () => {
  assert.equal(shortVector([1, 2, 3, 4, 5, 6]), '[1, 2, 3, 4, … 2 more]');
  assert.equal(shortVector([0.123456]), '[0.123]');
});

test('a run’s lines come from hello.code by hidden activation, output, loss, kind and optimizer', () => {
  const line = (code) => [{ code, mistake: false }];
  const code = {
    layers: { sigmoid: { forward: line('z = w @ a + b'), prime: line('def hidden_prime(z, a):') } },
    outputs: { softmax: line('def softmax(z):') }, costs: { cross_entropy: line('C = ce') },
    backprop: { softmax_ce: { BP1: line('delta = a - y'), BP2: line('bp2'), BP3: line('bp3'), BP4: line('bp4') } },
    updates: { sgd: line('sgd'), adam: line('adam') },
  };
  const config = { network: { hidden_activation: 'sigmoid' }, optimizer: { name: 'sgd' },
    runs: [{ id: 'softmax-ce', kind: 'softmax_ce', optimizer: { name: 'adam' } }] };
  const lines = codeLines(code, HELLO.run_kinds.softmax_ce, 'softmax_ce', config);
  assert.equal(lines.BP1[0].code, 'delta = a - y');
  assert.equal(lines.output[0].code, 'def softmax(z):');
  assert.deepEqual(lines.BP2.map((l) => l.code), ['def hidden_prime(z, a):', 'bp2']);
  assert.equal(lines.update[0].code, 'adam'); // the run's own optimizer
});

test('the script is saved under the name the server gives, never a path', () => {
  assert.equal(attachmentName('attachment; filename="backprop-lab-xor.py"'), 'backprop-lab-xor.py');
  assert.equal(attachmentName('attachment; filename="../x.py"'), 'backprop-lab-experiment.py');
  assert.equal(attachmentName(null), 'backprop-lab-experiment.py');
});

test('a refused export puts its message at the field the 422 names', async () => {
  const button = document.createElement('button');
  const status = document.createElement('span');
  const store = { state: { configured: { config: { runs: [] } }, errors: {} },
    update(_, change) { change(this.state); } };
  globalThis.fetch = async () => ({ status: 422, ok: false,
    json: async () => ({ detail: [{ field: 'network.dtype', msg: 'choose float64' }] }) });
  const script = createScriptDownload({ store, button, status });
  await script.download();
  assert.equal(store.state.errors['network.dtype'].message, 'choose float64');
  assert.equal(button.disabled, false);
});

test('the code view is in the link; an unknown view keeps the math, with a note', () => {
  const settings = parseHash('#view=code', HELLO);
  assert.equal(settings.view, 'code');
  assert.ok(toHash(settings).includes('view=code'));
  assert.ok(!toHash({ ...settings, view: 'math' }).includes('view='), 'the math, the default, is not written');
  const notes = [];
  assert.equal(parseHash('#view=poetry', HELLO, notes).view, 'math');
  assert.deepEqual(notes.map((n) => n.key), ['view']);
});
