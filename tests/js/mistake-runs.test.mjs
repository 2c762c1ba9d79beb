// Mistake run kinds on the page: their run ids (hello's short_id), their looks (the pairing's colour, a dash per
// mistake), their place in a link and in the loss history's CSV.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { installDom } from './dom.mjs';
import { HELLO } from './fixtures.mjs';

installDom();
const { configureMessage, parseHash, reconcile, toHash } = await import('../../static/js/settings.js');
const { kindInfo, kindsInMenuOrder, runsOf, useRunKinds } = await import('../../static/js/run-kinds.js');
const { lossHistoryRows, toCsv } = await import('../../static/js/lib/download.js');
const { runName } = await import('../../static/js/views/run-name.js');

useRunKinds(HELLO.run_kinds, HELLO.mistakes);

/** What the page does with a link: parse it, keep what the server offers. */
function openLink(hash) {
  const notes = [];
  const settings = parseHash(hash, HELLO, notes);
  notes.push(...reconcile(settings, HELLO));
  return { settings, notes };
}

test('configure names every run by its kind’s short id, which fits the 16-character run id', () => {
  const { settings } = openLink('#runs=sigmoid_mse,sigmoid_mse_examples_mixed');
  const { message, problems } = configureMessage(settings, HELLO);
  assert.deepEqual(problems, []);
  assert.deepEqual(message.runs, [{ id: 'sigmoid-mse', kind: 'sigmoid_mse' },
    { id: 'sig-mse-mixed', kind: 'sigmoid_mse_examples_mixed' }]);
  for (const run of message.runs) assert.match(run.id, /^[A-Za-z0-9_-]{1,16}$/);
});

test('a link with mistake kinds round-trips, in the menu’s order: each pairing, then its mistakes', () => {
  assert.deepEqual(kindsInMenuOrder(HELLO.run_kinds),
    ['sigmoid_mse', 'sigmoid_mse_examples_mixed', 'sigmoid_mse_sign_flipped', 'softmax_ce']);
  const { settings, notes } = openLink('#runs=softmax_ce,sigmoid_mse_examples_mixed,sigmoid_mse');
  assert.deepEqual(notes, []);
  assert.deepEqual(settings.runs, ['sigmoid_mse', 'sigmoid_mse_examples_mixed', 'softmax_ce']);
  const again = openLink(toHash(settings));
  assert.deepEqual(again.settings.runs, settings.runs);
  assert.deepEqual(again.notes, []);
});

test('a link may name runs by their short ids; an unknown one is left out with a note', () => {
  const { settings, notes } = openLink('#runs=sig-mse-sign,softmax-ce,sigmoid_mse_no_such_mistake');
  assert.deepEqual(settings.runs, ['sigmoid_mse_sign_flipped', 'softmax_ce']);
  assert.deepEqual(notes.map((n) => n.key), ['runs']);
  assert.ok(notes[0].text.includes('sigmoid_mse_no_such_mistake'));
  assert.ok(toHash(settings).includes('runs=sigmoid_mse_sign_flipped,softmax_ce'));
});

test('a mistake run is drawn in its pairing’s colour with its mistake’s own dash; right runs are solid', () => {
  const right = kindInfo('sigmoid_mse');
  const mixed = kindInfo('sigmoid_mse_examples_mixed');
  const flipped = kindInfo('sigmoid_mse_sign_flipped');
  assert.equal(mixed.color, right.color);
  assert.equal(flipped.color, right.color);
  assert.equal(right.dash, undefined);
  assert.ok(mixed.dash.length >= 2 && flipped.dash.length >= 2);
  assert.notDeepEqual(mixed.dash, flipped.dash);
  assert.notEqual(kindInfo('softmax_ce').color, right.color);
  assert.deepEqual(mixed.mistakeInfo, { id: 'examples_mixed', ...HELLO.mistakes.examples_mixed });
});

test('a run’s name is marked as a mistake by the mistake’s id', () => {
  const configured = { config: { runs: [{ id: 'sigmoid-mse', kind: 'sigmoid_mse' },
    { id: 'sig-mse-mixed', kind: 'sigmoid_mse_examples_mixed' }] } };
  const [right, mistake] = runsOf(configured).map((run) => runName(run));
  assert.equal(right.dataset.mistake, undefined);
  assert.ok(!right.classList.contains('mistake'));
  assert.equal(mistake.dataset.mistake, 'examples_mixed');
  assert.ok(mistake.classList.contains('mistake'));
});

test('the loss history CSV has a row per step and run, with its kind and mistake', () => {
  const runs = runsOf({ config: { runs: [{ id: 'sigmoid-mse', kind: 'sigmoid_mse' },
    { id: 'sig-mse-mixed', kind: 'sigmoid_mse_examples_mixed' }] } });
  const history = { runs: ['sigmoid-mse', 'sig-mse-mixed'], steps: [0, 1, 2], stride: 1,
    loss: [[0.25, 0.25], [0.2, null], [0.15, null]], measured_on: ['training_set', 'training_set', 'training_set'] };
  assert.equal(toCsv(lossHistoryRows(runs, history)), [
    'step,run,kind,mistake,measured_on,loss',
    '0,sigmoid-mse,sigmoid_mse,,training_set,0.25',
    '0,sig-mse-mixed,sigmoid_mse_examples_mixed,examples_mixed,training_set,0.25',
    '1,sigmoid-mse,sigmoid_mse,,training_set,0.2',
    '1,sig-mse-mixed,sigmoid_mse_examples_mixed,examples_mixed,training_set,',
    '2,sigmoid-mse,sigmoid_mse,,training_set,0.15',
    '2,sig-mse-mixed,sigmoid_mse_examples_mixed,examples_mixed,training_set,',
    '',
  ].join('\n'));
});
