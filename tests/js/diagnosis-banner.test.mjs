// The banner builds its entries from an event's fields: `headline` is the title, `detail` the text, `causes` the
// list (without the main one, `cause`, which the detail holds). It never splits the server's sentences.

import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';

import { installDom } from './dom.mjs';
import { HELLO, RUNS, collapsed, configured, diverged } from './fixtures.mjs';

installDom();
const { createDiagnosisBanner } = await import('../../static/js/views/diagnosis-banner.js');
const { useRunKinds } = await import('../../static/js/run-kinds.js');

let section;
beforeEach(() => {
  useRunKinds(HELLO.run_kinds);
  section = document.createElement('section');
});

function draw(diagnoses) {
  createDiagnosisBanner({ section }).draw({ rev: { config: 1, events: 1 }, diagnoses, configured: configured() });
  return [...section.querySelectorAll('article')];
}

test('the title is the headline with the runs’ names and the step; the text is the detail', () => {
  const [entry] = draw([collapsed('sigmoid-mse', 150)]);
  assert.equal(entry.querySelector('h2').textContent, 'Stuck at the mean label: sigmoid + MSE (step 150)');
  assert.equal(entry.querySelector('.message').textContent, collapsed('sigmoid-mse', 150).detail);
  assert.equal(entry.dataset.cause, 'unscaled_inputs');
});

test('the list gives the causes other than the main one, by id', () => {
  const [entry] = draw([collapsed('sigmoid-mse', 150)]);
  const items = [...entry.querySelectorAll('.causes li')];
  assert.deepEqual(items.map((li) => li.dataset.cause), ['saturated_layer']);
  assert.equal(items[0].textContent, '90% of the first layer is saturated.'); // its fix is the main one: said once
  assert.equal(entry.querySelectorAll('.suggestion').length, 1);
});

test('runs with the same diagnosis share one entry; other events get their own', () => {
  const entries = draw([collapsed('sigmoid-mse', 150), collapsed('softmax-ce', 150), diverged('softmax-ce', 4)]);
  assert.equal(entries.length, 2);
  assert.equal(entries[0].querySelector('h2').textContent, 'Stuck at the mean label: sigmoid + MSE, softmax + CE (step 150)');
  assert.equal(entries[1].className, 'diagnosis-item diverged');
  assert.equal(entries[1].querySelector('h2').textContent, 'Training blew up and stopped: softmax + CE (step 4)');
  for (const run of RUNS) assert.ok(!section.textContent.includes(run.id), 'no internal run ids');
});

test('a collapse resolved later says it ended, with both steps', () => {
  const [entry] = draw([{ ...collapsed('softmax-ce', 150), resolved: { step: 492 } }]);
  assert.equal(entry.className, 'diagnosis-item resolved');
  assert.equal(entry.querySelector('h2').textContent, 'Out of the plateau after all: softmax + CE (step 492)');
  assert.match(entry.textContent, /Stuck at the mean label/);
  assert.match(entry.textContent, /step 150/);
});

test('a dismissed collapse that resolves later shows again, as resolved; other dismissed entries stay hidden', () => {
  const banner = createDiagnosisBanner({ section });
  const state = { rev: { config: 1, events: 1 }, diagnoses: [collapsed('sigmoid-mse', 150), diverged('softmax-ce', 4)],
    configured: configured() };
  banner.draw(state);
  section.querySelector('button.dismiss').click();
  assert.equal(section.querySelectorAll('article').length, 0);
  // messages.js marks the collapse resolved with a new object when the run converges
  state.diagnoses = [{ ...state.diagnoses[0], resolved: { step: 492 } }, state.diagnoses[1]];
  state.rev = { config: 1, events: 2 };
  banner.draw(state);
  const entries = [...section.querySelectorAll('article')];
  assert.deepEqual(entries.map((e) => e.className), ['diagnosis-item resolved']);
});
