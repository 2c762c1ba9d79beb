// The settings as a link: parsed from the address over the server's defaults (hello.defaults), written back to it,
// and put back to a default when the server refuses the value a `field` names.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { HELLO } from './fixtures.mjs';

const { configureMessage, defaultSettings, parseHash, reconcile, resetSetting, toHash } = await import('../../static/js/settings.js');

const keysOf = (notes) => notes.map((n) => n.key);

test('a link gives its settings, and the settings give the same link back', () => {
  const hash = '#dataset=near-twins&dataSeed=3&hidden=8,8&activation=tanh&init=xavier&seed=2&runs=softmax_ce' +
    '&optimizer=adam&lr=0.05&batch=4&speed=max&example=1&data.eps=0.01';
  const settings = parseHash(hash, HELLO);
  assert.equal(settings.dataset, 'near-twins');
  assert.equal(settings.dataSeed, 3);
  assert.equal(settings.hidden, '8,8');
  assert.deepEqual(settings.runs, ['softmax_ce']);
  assert.equal(settings.lr, 0.05);
  assert.deepEqual(settings.params, { eps: '0.01' });
  assert.equal(toHash(settings), hash);
});

test('the defaults are the server’s: an empty link is its default experiment', () => {
  const hello = structuredClone(HELLO);
  hello.defaults.speed = 200;
  hello.defaults.config.network.hidden_layers = [5, 3];
  hello.defaults.config.optimizer.learning_rate = 0.1;
  const settings = parseHash('', hello);
  assert.deepEqual(settings, defaultSettings(hello));
  assert.equal(settings.speed, '200');
  assert.equal(settings.hidden, '5,3');
  assert.equal(settings.lr, 0.1);
  assert.equal(settings.batch, 'full');
  assert.deepEqual(settings.runs, ['sigmoid_mse', 'softmax_ce']);
  assert.equal(settings.lesson, 0);
  assert.ok(!toHash(settings).includes('lesson='), 'no lesson open, none in the link');
});

test('a value that does not parse keeps its default, and a note names its key', () => {
  const notes = [];
  const settings = parseHash('#seed=two&lr=&hidden=16', HELLO, notes);
  assert.equal(settings.seed, 0);
  assert.equal(settings.lr, 0.5);
  assert.equal(settings.hidden, '16');
  assert.deepEqual(keysOf(notes), ['seed', 'lr']);
});

test('a broken % escape is ignored like an unknown value, and the note names its key', () => {
  const notes = [];
  const settings = parseHash('#lr=0.5%ZZ&hidden=%&seed=3&data.e%ZZ=1&data.eps=0.0%', HELLO, notes);
  assert.deepEqual(keysOf(notes), ['lr', 'hidden', 'data.e%ZZ', 'data.eps']);
  assert.equal(settings.lr, 0.5);
  assert.equal(settings.hidden, '8');
  assert.equal(settings.seed, 3, 'the readable values are kept');
  assert.deepEqual(settings.params, {});
});

test('a link cut anywhere gives settings, and any problem left names a setting a link falls back on', () => {
  const full = '#dataset=near-twins&hidden=8%2C8&lr=0.05&runs=softmax_ce&data.eps=0.01';
  for (let end = 0; end <= full.length; end += 1) {
    const settings = parseHash(full.slice(0, end), HELLO);
    reconcile(settings, HELLO);
    for (const { field } of configureMessage(settings, HELLO).problems) {
      assert.notEqual(resetSetting(settings, field, HELLO), null, `${full.slice(0, end)}: ${field}`);
    }
  }
});

test('a key that is not a setting is ignored, with a note', () => {
  const notes = [];
  const settings = parseHash('#colour=red&seed=1', HELLO, notes);
  assert.deepEqual(keysOf(notes), ['colour']);
  assert.equal(settings.seed, 1);
});

test('escaped characters in a link are read back', () => {
  assert.equal(parseHash('#dataset=two%2Dpoints&data.n%20a=1', HELLO).dataset, 'two-points');
  assert.deepEqual(parseHash('#data.n%20a=1', HELLO).params, { 'n a': '1' });
});

test('what the server does not offer falls back to the default, with a note', () => {
  const settings = parseHash('#dataset=mnist&activation=swish&runs=softmax_ce,relu_mse&speed=99999', HELLO);
  const notes = reconcile(settings, HELLO);
  assert.equal(settings.dataset, 'two-points');
  assert.equal(settings.activation, 'sigmoid');
  assert.deepEqual(settings.runs, ['softmax_ce']);
  assert.equal(settings.speed, String(HELLO.settings.speed.maximum));
  assert.deepEqual(keysOf(notes), ['dataset', 'activation', 'runs', 'speed']);
});

test('a speed below the server’s minimum is not a speed', () => {
  const settings = parseHash('#speed=0', HELLO);
  assert.deepEqual(keysOf(reconcile(settings, HELLO)), ['speed']);
  assert.equal(settings.speed, '60');
});

test('a refused field puts that one setting back to its default', () => {
  const link = parseHash('#dataset=near-twins&data.eps=5&hidden=9999', HELLO);
  reconcile(link, HELLO);
  assert.deepEqual(resetSetting(link, 'dataset.params.eps', HELLO),
    { key: 'data.eps', label: 'dataset parameter eps', was: '5', now: '0.1' });
  assert.deepEqual(resetSetting(link, 'network.hidden_layers', HELLO),
    { key: 'hidden', label: 'hidden layers', was: '9999', now: '8' });
  assert.equal(resetSetting(link, 'fast', HELLO), null, 'a field that names no setting');
});

test('the configure message names each problem by the field the server would name', () => {
  const settings = { ...defaultSettings(HELLO), hidden: '8,x', runs: [], lr: null };
  const { problems } = configureMessage(settings, HELLO);
  assert.deepEqual(problems.map((p) => p.field), ['network.hidden_layers', 'runs', 'optimizer.learning_rate']);
  assert.deepEqual(configureMessage({ ...defaultSettings(HELLO), hidden: '8,0' }, HELLO).problems.map((p) => p.field),
    ['network.hidden_layers'], 'below hello.settings’ minimum');
  const { message } = configureMessage(defaultSettings(HELLO), HELLO);
  assert.deepEqual(message.runs, [{ id: 'sigmoid-mse', kind: 'sigmoid_mse' }, { id: 'softmax-ce', kind: 'softmax_ce' }]);
  assert.deepEqual(message.network.hidden_layers, [8]);
});
