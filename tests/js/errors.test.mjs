// An `error` is placed by its fields: `in_reply_to` says which request it answers (a configure, a save or model
// of one run), `field` which control it belongs beside. The page never reads the words to find out.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { installDom } from './dom.mjs';
import { HELLO } from './fixtures.mjs';

installDom(`
  <div id="general-error" hidden></div>
  <div data-field="network.hidden_layers"><input id="hidden"><p class="field-error"></p></div>
  <div data-field="runs"><input id="run"><p class="field-error"></p></div>`);
const { createErrorsView } = await import('../../static/js/views/errors-view.js');
const { applyMessage } = await import('../../static/js/messages.js');
const { createStore } = await import('../../static/js/store.js');
const { createConfigurer } = await import('../../static/js/configurer.js');
const { defaultSettings } = await import('../../static/js/settings.js');

function error(fields) {
  return { type: 'error', code: 'invalid_value', message: 'at most 4 hidden layers; got 9', field: null,
    in_reply_to: null, ...fields };
}

function drawErrors(store) {
  const general = document.getElementById('general-error');
  createErrorsView({ general }).draw(store.state);
  return general;
}

test('an error goes beside the control its field names, the closest enclosing one', () => {
  const store = createStore();
  applyMessage(store, error({ field: 'network.hidden_layers' }));
  applyMessage(store, error({ field: 'runs.0.kind', message: 'unknown kind' }));
  const general = drawErrors(store);
  const hidden = document.querySelector('[data-field="network.hidden_layers"]');
  assert.ok(hidden.classList.contains('has-error'));
  assert.equal(hidden.querySelector('.field-error').textContent, 'at most 4 hidden layers; got 9');
  assert.equal(document.getElementById('hidden').getAttribute('aria-invalid'), 'true');
  assert.equal(document.querySelector('[data-field="runs"] .field-error').textContent, 'unknown kind');
  assert.equal(general.hidden, true);
});

test('an error with no control for its field goes to the general area, naming the field', () => {
  const store = createStore();
  applyMessage(store, error({ field: 'fast', message: 'this field is not permitted here' }));
  applyMessage(store, error({ field: null, code: 'invalid_message', message: 'not valid JSON' }));
  const general = drawErrors(store);
  assert.equal(general.hidden, false);
  assert.equal(general.textContent, 'fast: this field is not permitted here not valid JSON');
});

test('an error answering a save or download of a run goes beside that run’s buttons', () => {
  const store = createStore();
  store.state.modelRequests = [{ type: 'save', run: 'softmax-ce' }, { type: 'model', run: 'sigmoid-mse' }];
  applyMessage(store, error({ code: 'run_diverged', field: 'run', in_reply_to: { type: 'model', run: 'sigmoid-mse' } }));
  assert.deepEqual(store.state.modelRequests, [{ type: 'save', run: 'softmax-ce' }]);
  assert.equal(store.state.models['sigmoid-mse'].error.type, 'model');
  assert.equal(store.state.models['sigmoid-mse'].error.code, 'run_diverged');
  assert.deepEqual(store.state.errors, {});
});

function configurer(store, sent) {
  return createConfigurer({ store, send: (m) => sent.push(m), showSettings: () => {}, setLink: () => {} });
}

test('only an error in reply to a configure refuses the configure waiting for an answer', () => {
  const store = createStore();
  store.state.hello = HELLO;
  const sent = [];
  const pages = configurer(store, sent);
  pages.configure({ ...defaultSettings(HELLO), hidden: '8' });
  assert.equal(sent[0].type, 'configure');
  assert.equal(pages.refuse(error({ field: 'speed', in_reply_to: { type: 'set', run: null } })), false);
  assert.equal(pages.refuse(error({ field: 'network.hidden_layers', in_reply_to: { type: 'configure', run: null } })), true);
  assert.deepEqual(store.state.errors, { 'network.hidden_layers': { message: 'at most 4 hidden layers; got 9', note: undefined } });
  assert.equal(pages.refuse(error({ in_reply_to: { type: 'configure', run: null } })), false, 'nothing waits any more');
});

test('a refused edit after an accepted one says the previous settings are still shown, on a line of its own', () => {
  const store = createStore();
  store.state.hello = HELLO;
  const pages = configurer(store, []);
  pages.configure(defaultSettings(HELLO));
  pages.accept();
  pages.configure({ ...defaultSettings(HELLO), hidden: '2,2,2,2,2,2,2,2,2' });
  pages.refuse(error({ field: 'network.hidden_layers', in_reply_to: { type: 'configure', run: null } }));
  drawErrors(store);
  const slot = document.querySelector('[data-field="network.hidden_layers"] .field-error');
  assert.equal(slot.querySelector('.error-message').textContent, 'at most 4 hidden layers; got 9');
  assert.equal(slot.querySelector('.error-note').textContent, 'Still showing the previous settings.');
});
