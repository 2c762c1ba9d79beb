// The settings as a link: parsed from the address, written back to it, and put back to a default when the server
// refuses the value a `field` names.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { HELLO } from './fixtures.mjs';

const { configureMessage, defaultSettings, parseHash, reconcile, resetSetting, toHash } = await import('../../static/js/settings.js');

test('a link gives its settings, and the settings give the same link back', () => {
  const hash = '#dataset=near-twins&dataSeed=3&hidden=8,8&activation=tanh&init=xavier&seed=2&runs=softmax_ce' +
    '&optimizer=adam&lr=0.05&batch=4&speed=max&example=1&data.eps=0.01';
  const settings = parseHash(hash);
  assert.equal(settings.dataset, 'near-twins');
  assert.equal(settings.dataSeed, 3);
  assert.equal(settings.hidden, '8,8');
  assert.deepEqual(settings.runs, ['softmax_ce']);
  assert.equal(settings.lr, 0.05);
  assert.deepEqual(settings.params, { eps: '0.01' });
  assert.equal(toHash(settings), hash);
});

test('a value that does not parse keeps its default, and a note names the setting', () => {
  const notes = [];
  const settings = parseHash('#seed=two&lr=&hidden=16', notes);
  assert.equal(settings.seed, defaultSettings().seed);
  assert.equal(settings.lr, defaultSettings().lr);
  assert.equal(settings.hidden, '16');
  assert.equal(notes.length, 2);
});

test('escaped characters in a link are read back', () => {
  assert.equal(parseHash('#dataset=two%2Dpoints&data.n%20a=1').dataset, 'two-points');
  assert.deepEqual(parseHash('#data.n%20a=1').params, { 'n a': '1' });
});

test('what the server does not offer falls back to the default, with a note', () => {
  const settings = parseHash('#dataset=mnist&activation=swish&runs=softmax_ce,relu_mse&speed=99999');
  const notes = reconcile(settings, HELLO);
  assert.equal(settings.dataset, 'two-points');
  assert.equal(settings.activation, 'sigmoid');
  assert.deepEqual(settings.runs, ['softmax_ce']);
  assert.equal(settings.speed, String(HELLO.limits.max_speed));
  assert.equal(notes.length, 4);
});

test('a refused field puts that one setting back to its default', () => {
  const link = parseHash('#dataset=near-twins&data.eps=5&hidden=9999');
  reconcile(link, HELLO);
  assert.deepEqual(resetSetting(link, 'dataset.params.eps', HELLO), { label: 'dataset parameter eps', was: '5', now: '0.1' });
  assert.deepEqual(resetSetting(link, 'network.hidden_layers', HELLO), { label: 'hidden layers', was: '9999', now: '8' });
  assert.equal(resetSetting(link, 'fast', HELLO), null, 'a field that names no setting');
});

test('the configure message names each problem by the field the server would name', () => {
  const settings = { ...defaultSettings(), hidden: '8,x', runs: [], lr: null };
  const { problems } = configureMessage(settings, HELLO);
  assert.deepEqual(problems.map((p) => p.field), ['network.hidden_layers', 'runs', 'optimizer.learning_rate']);
  const { message } = configureMessage(defaultSettings(), HELLO);
  assert.deepEqual(message.runs, [{ id: 'sigmoid-mse', kind: 'sigmoid_mse' }, { id: 'softmax-ce', kind: 'softmax_ce' }]);
  assert.deepEqual(message.network.hidden_layers, [8]);
});
