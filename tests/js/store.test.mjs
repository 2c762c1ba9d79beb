// The store applies the server's messages: frames build the time series, events the diagnoses, and a run that
// converges takes back a collapse reported before and ends its plateau note.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { HELLO, collapsed, configured, converged, diverged, frame, plateau } from './fixtures.mjs';

const { applyMessage } = await import('../../static/js/messages.js');
const { createStore } = await import('../../static/js/store.js');
const { kindInfo } = await import('../../static/js/run-kinds.js');

function started(labels) {
  const store = createStore();
  for (const message of [HELLO, configured(labels)]) applyMessage(store, message);
  return store;
}

test('hello teaches the page the run kinds: names, δᴸ in TeX and the mistake flag come from the server', () => {
  started();
  assert.equal(kindInfo('softmax_ce').name, 'softmax + CE');
  assert.equal(kindInfo('softmax_ce').deltaTex, HELLO.run_kinds.softmax_ce.delta_tex);
  assert.equal(kindInfo('sigmoid_mse').mistake, null);
});

test('frames build the series: one point per step, replaced at the same step, started again after a reset', () => {
  const store = started();
  for (const step of [0, 1, 2, 2]) applyMessage(store, frame(step, [0.5 - step / 10, 0.7]));
  const { series } = store.state;
  assert.deepEqual(series.steps, [0, 1, 2]);
  assert.deepEqual(series.loss, [[0.5, 0.4, 0.3], [0.7, 0.7, 0.7]]);
  assert.deepEqual(series.gradNorms, [[[0.1, 0.1, 0.1]], [[0.2, 0.2, 0.2]]]);
  assert.equal(store.state.status.step, 2);
  applyMessage(store, frame(0));
  assert.deepEqual(store.state.series.steps, [0]);
});

test('the series follows only examples a frame carries (hello.frame_examples)', () => {
  const labels = [[1, 0], [0, 1], [1, 0], [0, 1], [1, 0]];
  const store = started(labels);
  applyMessage(store, frame(0));
  assert.deepEqual(store.state.series.examples, [0, 1]);
});

test('a run that converges after a reported collapse has it marked resolved; its plateau note goes', () => {
  const store = started();
  for (const event of [collapsed('sigmoid-mse', 150), collapsed('softmax-ce', 150), plateau('sigmoid-mse', 1000),
    diverged('softmax-ce', 300), converged('sigmoid-mse', 1500)]) applyMessage(store, event);
  const { diagnoses } = store.state;
  assert.deepEqual(diagnoses.map((d) => [d.event, d.run, d.resolved?.step ?? null]), [
    ['collapsed', 'sigmoid-mse', 1500], ['collapsed', 'softmax-ce', null], ['diverged', 'softmax-ce', null]]);
  assert.deepEqual(store.state.converged, { 'sigmoid-mse': 1500 });
});

test('a converged run that was never reported collapsed leaves the diagnoses alone', () => {
  const store = started();
  applyMessage(store, collapsed('sigmoid-mse', 150));
  applyMessage(store, converged('softmax-ce', 40));
  assert.equal(store.state.diagnoses[0].resolved, undefined);
  assert.deepEqual(store.state.converged, { 'softmax-ce': 40 });
});

test('a gradient check is kept per run, not as a diagnosis', () => {
  const store = started();
  const check = { type: 'event', event: 'gradcheck', run: 'softmax-ce', step: 3, cause: 'agrees', headline: 'h',
    detail: 'd', layers: [{ layer: 0, relative_error: 1e-9, max_abs_difference: 1e-12, verdict: 'agrees' }] };
  applyMessage(store, check);
  assert.deepEqual(store.state.gradcheck, { 'softmax-ce': check });
  assert.deepEqual(store.state.diagnoses, []);
});
