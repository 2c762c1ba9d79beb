// Issue 17: the learning rate changes live (`set`, training goes on from its step); a change that needs new weights
// sends `configure`, which starts again from step 0.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { HELLO } from './fixtures.mjs';

const { applyMessage } = await import('../../static/js/messages.js');
const { createStore } = await import('../../static/js/store.js');
const { createConfigurer } = await import('../../static/js/configurer.js');
const { defaultSettings, learningRateProblem, restartsTraining } = await import('../../static/js/settings.js');

const HELLO_WITH_RATE_BOUNDS = structuredClone(HELLO);
HELLO_WITH_RATE_BOUNDS.settings['optimizer.learning_rate'] = { minimum: null, exclusive_minimum: 0, maximum: 1e6 };

function started() {
  const store = createStore();
  applyMessage(store, HELLO_WITH_RATE_BOUNDS);
  const sent = [];
  const links = [];
  const configurer = createConfigurer({ store, send: (m) => sent.push(m), showSettings: () => {}, setLink: (s) => links.push(s) });
  const settings = defaultSettings(HELLO_WITH_RATE_BOUNDS);
  configurer.configure(settings);
  configurer.accept();
  sent.length = 0;
  return { store, configurer, sent, links, settings };
}

test('only the learning rate, speed and example change live; every other setting needs new weights', () => {
  assert.deepEqual(['lr', 'speed', 'example'].map(restartsTraining), [false, false, false]);
  const restarting = ['dataset', 'params', 'dataSeed', 'hidden', 'activation', 'init', 'seed', 'start', 'runs',
    'optimizer', 'batch'];
  assert.deepEqual(restarting.filter(restartsTraining), restarting);
});

test('a new learning rate is sent as `set`, not `configure`, and the link carries it', () => {
  const { configurer, sent, links, settings } = started();
  configurer.change({ ...settings, lr: 0.05 }, 'lr');
  assert.deepEqual(sent, [{ type: 'set', learning_rate: 0.05 }]);
  assert.equal(links.at(-1).lr, 0.05);
  assert.equal(configurer.accepted().lr, 0.05);
});

test('new hidden layers send `configure` with the rate the form holds', () => {
  const { configurer, sent, settings } = started();
  configurer.change({ ...settings, hidden: '4', lr: 0.05 }, 'hidden');
  assert.deepEqual(sent.map((m) => m.type), ['configure']);
  assert.deepEqual(sent[0].network.hidden_layers, [4]);
  assert.equal(sent[0].optimizer.learning_rate, 0.05);
});

test('a learning rate outside the server’s bounds is not sent and is filed under its field', () => {
  const { store, configurer, sent, links, settings } = started();
  for (const lr of [0, -1, 2e6, null]) {
    configurer.change({ ...settings, lr }, 'lr');
    assert.ok(learningRateProblem(lr, HELLO_WITH_RATE_BOUNDS));
  }
  assert.deepEqual(sent, []);
  assert.deepEqual(links.length, 1); // the accepted configure's only
  assert.deepEqual(Object.keys(store.state.errors), ['optimizer.learning_rate']);
  assert.equal(learningRateProblem(1e6, HELLO_WITH_RATE_BOUNDS), null);
});

test('the server refusing a live rate files the error under the learning rate', () => {
  const { store, configurer } = started();
  const handled = configurer.refuse({ type: 'error', code: 'invalid_value', message: 'too big', field: 'learning_rate',
    in_reply_to: { type: 'set', run: null } });
  assert.equal(handled, true);
  assert.deepEqual(Object.keys(store.state.errors), ['optimizer.learning_rate']);
});
