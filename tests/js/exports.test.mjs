// The exports' pure parts: the loss CSV's measured_on column (a mini-batch history and the full-data current step
// never mixed unlabelled), the PNG legend's entries from a chart's series, its rows, and the boundary's colour key.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { installDom } from './dom.mjs';

installDom();
const { lossHistoryRows } = await import('../../static/js/lib/download.js');
const { SWATCH, entryWidth, layoutLegend, seriesLegend } = await import('../../static/js/lib/picture.js');
const { CLASS_COLORS, NEGATIVE, POSITIVE, PAIRING_COLORS } = await import('../../static/js/lib/colors.js');
const { boundaryKey } = await import('../../static/js/share.js');

const RUNS = [{ id: 'mse', kind: 'sigmoid_mse', mistake: null }, { id: 'mixed', kind: 'sigmoid_mse_examples_mixed', mistake: 'examples_mixed' }];

test('a mini-batch history labels each step taken as its batch and the current step as the training set', () => {
  const history = { runs: ['mse', 'mixed'], steps: [0, 1, 2], stride: 1, loss: [[0.3, 0.31], [0.28, 0.33], [0.25, 0.32]],
    measured_on: ['batch', 'batch', 'training_set'], test_loss: null };
  const rows = lossHistoryRows(RUNS, history);
  assert.deepEqual(rows[0], ['step', 'run', 'kind', 'mistake', 'measured_on', 'loss']);
  assert.deepEqual(rows.slice(1).map(([step, run, , , on, loss]) => [step, run, on, loss]), [
    [0, 'mse', 'batch', 0.3], [0, 'mixed', 'batch', 0.31],
    [1, 'mse', 'batch', 0.28], [1, 'mixed', 'batch', 0.33],
    [2, 'mse', 'training_set', 0.25], [2, 'mixed', 'training_set', 0.32],
  ]);
  assert.deepEqual(rows.slice(1).map((row) => row[3]), [null, 'examples_mixed', null, 'examples_mixed', null, 'examples_mixed']);
});

test('a decimated history gives rows at its steps only, test losses as their own rows', () => {
  const history = { runs: ['mse'], steps: [0, 4, 8, 9], stride: 4, loss: [[0.5], [0.4], [0.3], [0.29]],
    measured_on: ['batch', 'batch', 'batch', 'training_set'], test_loss: [[0.6], [null], [0.45], [0.44]] };
  const rows = lossHistoryRows(RUNS.slice(0, 1), history).slice(1).map(([step, , , , on, loss]) => [step, on, loss]);
  assert.deepEqual(rows, [[0, 'batch', 0.5], [0, 'test_set', 0.6], [4, 'batch', 0.4], [8, 'batch', 0.3],
    [8, 'test_set', 0.45], [9, 'training_set', 0.29], [9, 'test_set', 0.44]]);
});

test('the legend has each series but the steps, in its colour, dashed where the series is', () => {
  const chart = { series: [{ label: 'step' },
    { label: 'sigmoid + MSE', stroke: () => PAIRING_COLORS.sigmoid_mse },
    { label: 'sigmoid + MSE: examples mixed', stroke: () => PAIRING_COLORS.sigmoid_mse, dash: [6, 4] },
    { label: 'hidden', stroke: '#000000', show: false },
    { label: 'sigmoid + MSE: test', stroke: `${PAIRING_COLORS.sigmoid_mse}99`, dash: [2, 3] }] };
  assert.deepEqual(seriesLegend(chart), [
    { label: 'sigmoid + MSE', color: PAIRING_COLORS.sigmoid_mse, dash: null },
    { label: 'sigmoid + MSE: examples mixed', color: PAIRING_COLORS.sigmoid_mse, dash: [6, 4] },
    { label: 'sigmoid + MSE: test', color: `${PAIRING_COLORS.sigmoid_mse}99`, dash: [2, 3] },
  ]);
});

test('legend entries wrap into rows no wider than the picture, and a wide entry gets a row of its own', () => {
  const measure = (text) => text.length * 7;
  const entries = ['aaaa', 'bbbb', 'cccc', 'a label far wider than the rest'].map((label) => ({ label, color: '#000000' }));
  const one = entryWidth(entries[0], measure);
  assert.equal(one, SWATCH.width + SWATCH.gap + 28);
  const layout = layoutLegend(entries, 2 * one + SWATCH.spacing, measure);
  assert.deepEqual(layout.placed.map(({ x, row }) => [x, row]), [[0, 0], [one + SWATCH.spacing, 0], [0, 1], [0, 2]]);
  assert.equal(layout.rows, 3);
  for (const { entry, x } of layout.placed.slice(0, 3)) assert.ok(x + entryWidth(entry, measure) <= 2 * one + SWATCH.spacing);
  assert.equal(layoutLegend([], 100, measure).rows, 0);
});

test('the boundary key gives each class its colour, and a regression output its sign', () => {
  const key = boundaryKey({ task: 'classification', class_names: ['A', 'B', 'C'] });
  assert.deepEqual(key.map(({ color, box }) => [color, box]), [[CLASS_COLORS[0], true], [CLASS_COLORS[1], true], [CLASS_COLORS[2], true]]);
  assert.ok(key.every(({ label }, c) => label.endsWith(['A', 'B', 'C'][c])));
  assert.deepEqual(boundaryKey({ task: 'regression', class_names: [] }).map(({ color }) => color), [NEGATIVE, POSITIVE]);
});
