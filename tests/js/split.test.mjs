// The train/test split on the page: the "Test data" setting in a link and in `configure`, each run's test loss in
// the series the loss chart draws, the CSV's test_set rows, and the confusion matrix as a table.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { installDom } from './dom.mjs';
import { HELLO } from './fixtures.mjs';

installDom();
const { configureMessage, parseHash, resetSetting, settingsFromConfig, toHash } = await import('../../static/js/settings.js');
const { appendFrame, createSeries } = await import('../../static/js/series.js');
const { lossHistoryRows, toCsv } = await import('../../static/js/lib/download.js');
const { confusionTable } = await import('../../static/js/views/confusion-view.js');

const hello = structuredClone(HELLO);
hello.settings = { ...hello.settings, 'dataset.test_fraction': { minimum: 0, maximum: 0.9 } };

test('the test data travels in the link as a percentage, and is left out at 0', () => {
  const settings = parseHash('#dataset=two-points&test=20', hello);
  assert.equal(settings.test, 20);
  assert.ok(toHash(settings).includes('test=20'));
  assert.ok(!toHash({ ...settings, test: 0 }).includes('test='));
});

test('configure carries the fraction; a share out of bounds is a problem at its field', () => {
  const settings = parseHash('#test=25', hello);
  assert.equal(configureMessage(settings, hello).message.dataset.test_fraction, 0.25);
  assert.ok(!('test_fraction' in configureMessage({ ...settings, test: 0 }, hello).message.dataset)); // as before
  for (const bad of [95, -5, null]) {
    const { problems } = configureMessage({ ...settings, test: bad }, hello);
    assert.deepEqual(problems.map((p) => p.field), ['dataset.test_fraction']);
  }
});

test('a configured fraction becomes the form’s percentage, and a refused one goes back to 0', () => {
  const config = structuredClone(hello.defaults.config);
  config.dataset.test_fraction = 0.07;
  assert.equal(settingsFromConfig(config, { speed: 60, lesson: 0, hello }).test, 7);
  const settings = parseHash('#test=50', hello);
  const reset = resetSetting(settings, 'dataset.test_fraction', hello);
  assert.equal(reset.key, 'test');
  assert.equal(settings.test, 0);
});

test('each run’s test loss is kept beside its loss, and stops where the run diverged', () => {
  const configured = { labels: [[1, 0], [0, 1]] };
  const series = createSeries(configured, 2, 1, 32);
  const run = (loss, testLoss, status = 'training') => ({ loss, test_loss: testLoss, status, outputs: [], layers: [] });
  appendFrame(series, { step: 0, runs: [run(0.5, 0.6), run(0.7, 0.8)] });
  appendFrame(series, { step: 1, runs: [run(0.4, 0.55), run(0.7, 0.8, 'diverged')] });
  assert.deepEqual(series.testLoss, [[0.6, 0.55], [0.8, null]]);
});

test('the loss CSV has a test_set row where the history measured the test loss', () => {
  const runs = [{ id: 'a', kind: 'softmax_ce', mistake: null }];
  const history = { runs: ['a'], steps: [0, 1, 2], stride: 1, loss: [[0.7], [0.6], [0.5]],
    measured_on: ['training_set', 'training_set', 'training_set'], test_loss: [[0.75], [null], [0.58]] };
  assert.equal(toCsv(lossHistoryRows(runs, history)), [
    'step,run,kind,mistake,measured_on,loss',
    '0,a,softmax_ce,,training_set,0.7',
    '0,a,softmax_ce,,test_set,0.75',
    '1,a,softmax_ce,,training_set,0.6',
    '2,a,softmax_ce,,training_set,0.5',
    '2,a,softmax_ce,,test_set,0.58',
    '',
  ].join('\n'));
  const untested = lossHistoryRows(runs, { ...history, test_loss: null });
  assert.deepEqual(untested.map((row) => row[4]), ['measured_on', 'training_set', 'training_set', 'training_set']);
});

test('the confusion matrix is a table with a caption, column and row headers, and the counts', () => {
  const table = confusionTable([[3, 1, 0], [0, 4, 0], [2, 0, 5]], ['A', 'B', 'C'], 'softmax + CE: test examples');
  assert.equal(table.querySelector('caption').textContent, 'softmax + CE: test examples');
  assert.deepEqual([...table.querySelectorAll('thead th')].map((th) => [th.textContent, th.getAttribute('scope')]),
    [['A', 'col'], ['B', 'col'], ['C', 'col']]);
  assert.deepEqual([...table.querySelectorAll('tbody th')].map((th) => th.getAttribute('scope')), ['row', 'row', 'row']);
  const counts = [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent)));
  assert.deepEqual(counts, [[3, 1, 0], [0, 4, 0], [2, 0, 5]]);
  assert.equal(table.querySelectorAll('td.right').length, 3);
});
