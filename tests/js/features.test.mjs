// Input features and regularisation as settings: in the link only when chosen, sent in `configure` as the server
// names them, the rate changed live, and a refused value put back by its field.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { HELLO } from './fixtures.mjs';

const { configureMessage, parseHash, reconcile, resetSetting, restartsTraining, toHash } = await import('../../static/js/settings.js');

const hello = structuredClone(HELLO);
hello.datasets.push({ name: 'circles', available: true, two_d: true, params: [] },
  { name: 'raw-pixels', available: true, two_d: false, params: [] });
hello.features = [{ id: 'x1', label: 'X₁' }, { id: 'x2', label: 'X₂' }, { id: 'x1_squared', label: 'X₁²' },
  { id: 'x2_squared', label: 'X₂²' }];
hello.regularizations = { l1: { label: 'L1' }, l2: { label: 'L2' } };
hello.settings.regularization_rate = { minimum: 0, exclusive_minimum: null, maximum: 10, integer: false };

test('features and regularisation round-trip through the link', () => {
  const hash = '#dataset=circles&dataSeed=0&features=x1_squared,x2_squared&hidden=&activation=sigmoid&init=normal' +
    '&seed=0&runs=softmax_ce&optimizer=sgd&lr=0.5&regularization=l2&regRate=0.03&batch=full&speed=60&example=0';
  const settings = parseHash(hash, hello);
  assert.deepEqual(reconcile(settings, hello), []);
  assert.deepEqual(settings.features, ['x1_squared', 'x2_squared']);
  assert.equal(settings.regularization, 'l2');
  assert.equal(settings.regRate, 0.03);
  assert.equal(toHash(settings), hash);
  const { message, problems } = configureMessage(settings, hello);
  assert.deepEqual(problems, []);
  assert.deepEqual(message.dataset.features, ['x1_squared', 'x2_squared']);
  assert.equal(message.regularization, 'l2');
  assert.equal(message.regularization_rate, 0.03);
});

test('without them, the link and the configure message are as before', () => {
  const settings = parseHash('', hello);
  const hash = toHash(settings);
  for (const key of ['features=', 'regularization=', 'regRate=']) assert.ok(!hash.includes(key), key);
  const { message } = configureMessage(settings, hello);
  assert.ok(!('features' in message.dataset)); // as before: not sent at all
  assert.equal(message.regularization, null);
  assert.equal(message.regularization_rate, 0);
});

test('features are sent only for points in the plane, and a rate only with a regularisation', () => {
  const settings = parseHash('#dataset=raw-pixels&features=x1_squared&regRate=0.5', hello);
  reconcile(settings, hello);
  const { message } = configureMessage(settings, hello);
  assert.ok(!('features' in message.dataset));
  assert.equal(message.regularization_rate, 0);
});

test('unknown features and regularisations are left out with a note', () => {
  const settings = parseHash('#dataset=circles&features=x1_cubed,x2_squared&regularization=l3', hello);
  const notes = reconcile(settings, hello);
  assert.deepEqual(notes.map((n) => n.key).sort(), ['features', 'regularization']);
  assert.deepEqual(settings.features, ['x2_squared']);
  assert.equal(settings.regularization, '');
});

test('a rate out of bounds and no feature ticked are problems before anything is sent', () => {
  const settings = parseHash('#dataset=circles&regularization=l1&regRate=11', hello);
  reconcile(settings, hello);
  settings.features = [];
  const fields = configureMessage(settings, hello).problems.map((p) => p.field).sort();
  assert.deepEqual(fields, ['dataset.features', 'regularization_rate']);
});

test('the rate changes live; features and the regularisation restart; refused fields go back to their defaults', () => {
  assert.equal(restartsTraining('regRate'), false);
  assert.equal(restartsTraining('features'), true);
  assert.equal(restartsTraining('regularization'), true);
  const settings = parseHash('#dataset=circles&features=x1_squared&regularization=l2&regRate=0.2', hello);
  reconcile(settings, hello);
  assert.equal(resetSetting(settings, 'dataset.features', hello).key, 'features');
  assert.equal(settings.features, null);
  assert.equal(resetSetting(settings, 'regularization_rate', hello).key, 'regRate');
  assert.equal(settings.regRate, 0);
  assert.equal(settings.regularization, 'l2');
});
