// A `model` request has a purpose: a download writes a file; the check panel's keeps the reply as its snapshot
// (with the selected example) and never downloads it. The server answers in order, so each reply settles the
// oldest request for its run.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { HELLO, RUNS, configured, frame } from './fixtures.mjs';

const { applyMessage } = await import('../../static/js/messages.js');
const { createStore } = await import('../../static/js/store.js');
const { createModelActions } = await import('../../static/js/model-actions.js');

const MODEL = { layer_sizes: [2, 2], hidden_activation: null, output_activation: 'sigmoid', loss: 'mse',
  W: [[[0.1, -0.2], [0.3, 0.4]]], b: [[0, 0.1]] };

/** The experiment at a rate of 0.5, but for softmax-ce, which trains at its own 2. */
function withRates() {
  const message = configured();
  const runs = RUNS.map((run) => (run.id === 'softmax-ce' ? { ...run, learning_rate: 2 } : run));
  return { ...message, config: { ...message.config, runs, optimizer: { name: 'sgd', learning_rate: 0.5 } } };
}

function started(example = 0) {
  const store = createStore();
  const sent = [];
  for (const message of [HELLO, withRates()]) applyMessage(store, message);
  const current = frame(3);
  for (const run of current.runs) run.output.example = example;
  applyMessage(store, current);
  const actions = createModelActions({ store, send: (message) => sent.push(message) > 0 });
  return { store, sent, actions };
}

/** What main.js does with a `model` reply: the actions first (the download), then the store. */
function receive({ store, actions }, message) {
  actions.receiveModel(message);
  applyMessage(store, message);
}

function countingDownloads(body) {
  const made = [];
  const original = URL.createObjectURL;
  URL.createObjectURL = (blob) => { made.push(blob); return 'blob:counted'; };
  globalThis.document = { body: { append() {} }, createElement: () => ({ click() {}, remove() {} }) };
  try {
    body();
  } finally {
    URL.createObjectURL = original;
    delete globalThis.document;
  }
  return made.length;
}

const reply = (step = 3) => ({ type: 'model', run: 'softmax-ce', step, kind: 'softmax_ce', model: MODEL });

test("the check panel's weights become its snapshot, with the selected example, and are not downloaded", () => {
  const lab = started(1);
  lab.actions.useWeights('softmax-ce');
  assert.deepEqual(lab.sent, [{ type: 'model', run: 'softmax-ce' }]);
  const downloads = countingDownloads(() => receive(lab, reply()));
  assert.equal(downloads, 0);
  const { snapshot, error } = lab.store.state.check;
  assert.equal(error, null);
  assert.deepEqual(snapshot, { run: 'softmax-ce', kind: 'softmax_ce', step: 3, model: MODEL, example: 1,
    x: [1, 0], y: [0, 1], inputs: [[0, 1], [1, 0]], labels: [[1, 0], [0, 1]], eta: 2 });
  assert.deepEqual(lab.store.state.modelRequests, []);
});

test("with input features the check panel asks for the features' model and its x and inputs are the features", () => {
  const store = createStore();
  const sent = [];
  const features = [[0, 1, 0, 0], [1, 0, 1, 0]]; // x1, x2, x1², x1x2 of the two points
  const message = configured();
  applyMessage(store, HELLO);
  applyMessage(store, { ...message, network_inputs: features,
    config: { ...message.config, dataset: { ...message.config.dataset, features: ['x1', 'x2', 'x1_squared', 'x1_x2'] } } });
  const current = frame(3);
  for (const run of current.runs) run.output.example = 1;
  applyMessage(store, current);
  const actions = createModelActions({ store, send: (m) => sent.push(m) > 0 });
  actions.useWeights('softmax-ce');
  actions.download('sigmoid-mse');
  assert.deepEqual(sent, [{ type: 'model', run: 'softmax-ce', features: true }, { type: 'model', run: 'sigmoid-mse' }]);
  receive({ store, actions }, reply());
  const { snapshot } = store.state.check;
  assert.deepEqual(snapshot.x, [1, 0, 1, 0]);
  assert.deepEqual(snapshot.inputs, features);
  assert.deepEqual(snapshot.y, message.labels[1]);
});

test('a download and a check of the same run are answered in order: one file, one snapshot', () => {
  const lab = started();
  lab.actions.download('softmax-ce');
  lab.actions.useWeights('softmax-ce');
  lab.actions.useWeights('softmax-ce'); // already on its way: not sent twice
  assert.equal(lab.sent.length, 2);
  const downloads = countingDownloads(() => {
    receive(lab, reply(3));
    receive(lab, reply(4));
  });
  assert.equal(downloads, 1);
  assert.equal(lab.store.state.check.snapshot.step, 4, 'the second reply answers the check');
  assert.deepEqual(lab.store.state.modelRequests, []);
});

test("a refused check request keeps the old snapshot, and its error stays out of the run's download note", () => {
  const lab = started();
  lab.actions.useWeights('softmax-ce');
  receive(lab, reply(3));
  lab.actions.useWeights('softmax-ce');
  applyMessage(lab.store, { type: 'error', code: 'unknown_run', field: 'run', message: 'no such run',
    in_reply_to: { type: 'model', run: 'softmax-ce' } });
  const { snapshot, error } = lab.store.state.check;
  assert.equal(snapshot.step, 3);
  assert.equal(error.code, 'unknown_run');
  assert.equal(lab.store.state.models['softmax-ce']?.error ?? null, null);
  assert.deepEqual(lab.store.state.errors, {});
});

test("one training step's rate is the run's own, else the experiment's", () => {
  const lab = started();
  for (const [run, eta] of [['softmax-ce', 2], ['sigmoid-mse', 0.5]]) {
    lab.actions.useWeights(run);
    receive(lab, { ...reply(), run });
    assert.equal(lab.store.state.check.snapshot.eta, eta);
  }
});
