// The settings form's parts built from `hello`: dataset parameter fields and run-kind checkboxes write a
// setting's values and read the same values back, each input tied to its label and description by id.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { installDom } from './dom.mjs';
import { HELLO } from './fixtures.mjs';

installDom();
const { readParams, writeParams } = await import('../../static/js/controls/dataset-params.js');
const { checkedRunKinds, checkRunKinds, writeRunKinds } = await import('../../static/js/controls/run-kind-choices.js');
const { useRunKinds } = await import('../../static/js/run-kinds.js');

const nearTwins = HELLO.datasets.find((d) => d.name === 'near-twins');

test('a dataset’s parameter fields show the given values, else the defaults, and read them back', () => {
  const box = document.createElement('div');
  writeParams(box, nearTwins, { eps: '0.01' });
  const input = box.querySelector('input');
  assert.equal(input.id, 'param-eps');
  assert.equal(input.getAttribute('aria-describedby'), 'param-eps-hint');
  assert.equal(box.querySelector('label').htmlFor, 'param-eps');
  assert.equal(box.querySelector('[data-field]').dataset.field, 'dataset.params.eps');
  assert.deepEqual(readParams(box), { eps: '0.01' });
  writeParams(box, nearTwins, {});
  assert.deepEqual(readParams(box), { eps: '0.1' });
});

test('one checkbox per run kind, in hello’s order, checked as the settings say', () => {
  useRunKinds(HELLO.run_kinds);
  const box = document.createElement('div');
  writeRunKinds(box, HELLO.run_kinds);
  const inputs = [...box.querySelectorAll('input')];
  assert.deepEqual(inputs.map((i) => i.value), Object.keys(HELLO.run_kinds));
  assert.deepEqual(inputs.map((i) => i.getAttribute('aria-describedby')), ['kind-sigmoid_mse-formula', 'kind-softmax_ce-formula']);
  assert.ok(box.querySelector('#kind-softmax_ce-formula'));
  checkRunKinds(box, ['softmax_ce']);
  assert.deepEqual(checkedRunKinds(box), ['softmax_ce']);
});
