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

test('one checkbox per run kind, each pairing’s mistakes folded under its right run, checked as the settings say', () => {
  useRunKinds(HELLO.run_kinds, HELLO.mistakes);
  const box = document.createElement('div');
  writeRunKinds(box, HELLO.run_kinds);
  const inputs = [...box.querySelectorAll('input')];
  assert.deepEqual(inputs.map((i) => i.value),
    ['sigmoid_mse', 'sigmoid_mse_examples_mixed', 'sigmoid_mse_sign_flipped', 'softmax_ce']);
  assert.deepEqual(inputs.map((i) => i.getAttribute('aria-describedby')), inputs.map((i) => `kind-${i.value}-formula`));
  const groups = [...box.querySelectorAll('.run-pairing')];
  assert.deepEqual(groups.map((g) => g.dataset.pairing), ['sigmoid_mse', 'softmax_ce']);
  const folded = groups[0].querySelector('details');
  assert.deepEqual([...folded.querySelectorAll('[data-mistake]')].map((row) => row.dataset.mistake),
    ['examples_mixed', 'sign_flipped']);
  assert.equal(groups[1].querySelector('details'), null); // no mistakes: nothing to fold
  assert.equal(folded.hasAttribute('open'), false);
  checkRunKinds(box, ['softmax_ce', 'sigmoid_mse_examples_mixed']);
  assert.deepEqual(checkedRunKinds(box), ['sigmoid_mse_examples_mixed', 'softmax_ce']);
  assert.equal(folded.hasAttribute('open'), true); // a chosen mistake stays in sight
});

test('choosing a mistake chooses its pairing’s right run beside it, and says so', () => {
  useRunKinds(HELLO.run_kinds, HELLO.mistakes);
  const box = document.createElement('div');
  writeRunKinds(box, HELLO.run_kinds);
  checkRunKinds(box, ['softmax_ce']);
  const mistake = box.querySelector('#kind-sigmoid_mse_examples_mixed');
  mistake.checked = true;
  mistake.dispatchEvent(new window.Event('change', { bubbles: true }));
  assert.deepEqual(checkedRunKinds(box), ['sigmoid_mse', 'sigmoid_mse_examples_mixed', 'softmax_ce']);
  assert.equal(box.querySelector('[data-pairing="sigmoid_mse"] .run-kind-note').dataset.added, 'sigmoid_mse');
  // Unchecking the right run afterwards is the learner's choice: nothing checks it again.
  const right = box.querySelector('#kind-sigmoid_mse');
  right.checked = false;
  right.dispatchEvent(new window.Event('change', { bubbles: true }));
  assert.deepEqual(checkedRunKinds(box), ['sigmoid_mse_examples_mixed', 'softmax_ce']);
});

test('a mistake’s row shows its wrong δᴸ where BP1 is wrong, else the equation it breaks', () => {
  useRunKinds(HELLO.run_kinds, HELLO.mistakes);
  const box = document.createElement('div');
  writeRunKinds(box, HELLO.run_kinds);
  assert.equal(box.querySelector('#kind-sigmoid_mse_sign_flipped-formula').textContent, "δᴸ = (y − a) ⊙ σ'(z)");
  assert.ok(box.querySelector('#kind-sigmoid_mse_examples_mixed-formula').textContent.endsWith('BP4'));
});
