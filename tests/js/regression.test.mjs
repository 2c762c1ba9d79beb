// A regression set (hello.datasets[].task) on the page: only kinds with a linear output fit it, in a link and in
// the form; a classification set takes every kind.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { HELLO } from './fixtures.mjs';

const { configureMessage, parseHash, reconcile } = await import('../../static/js/settings.js');
const { fitsTask, kindsForTask } = await import('../../static/js/run-kinds.js');

function helloWithPlane() {
  const hello = structuredClone(HELLO);
  hello.run_kinds.linear_mse = { label: 'linear + MSE', output_activation: 'linear', loss: 'mse',
    delta_formula: 'a − y', delta_tex: String.raw`\delta^L = a - y`, mistake: null, right_kind: 'linear_mse',
    short_id: 'linear-mse' };
  hello.run_kinds.linear_mse_sign_flipped = { ...hello.run_kinds.linear_mse, label: 'linear + MSE ✗ sign flipped',
    mistake: 'sign_flipped', short_id: 'lin-mse-sign' };
  hello.datasets.push({ name: 'plane', available: true, task: 'regression', two_d: true,
    params: [{ name: 'noise', kind: 'float', default: 0, min: 0, max: 0.5 }] });
  return hello;
}

test('only a linear output fits a regression set; every kind fits a classification set', () => {
  const { run_kinds: kinds } = helloWithPlane();
  assert.equal(fitsTask(kinds.linear_mse, 'regression'), true);
  assert.equal(fitsTask(kinds.softmax_ce, 'regression'), false);
  assert.equal(fitsTask(kinds.softmax_ce, 'classification'), true);
  assert.equal(fitsTask(kinds.linear_mse, 'classification'), true);
  assert.deepEqual(kindsForTask(['sigmoid_mse', 'linear_mse_sign_flipped'], kinds, 'regression'), ['linear_mse_sign_flipped']);
  assert.deepEqual(kindsForTask(['sigmoid_mse', 'softmax_ce'], kinds, 'regression'), ['linear_mse']);
  assert.deepEqual(kindsForTask(['sigmoid_mse', 'softmax_ce'], kinds, undefined), ['sigmoid_mse', 'softmax_ce']);
});

test('a link to a regression set with the default runs trains linear + MSE', () => {
  const hello = helloWithPlane();
  const settings = parseHash('#dataset=plane&data.noise=0.1', hello);
  reconcile(settings, hello);
  assert.deepEqual(settings.runs, ['linear_mse']);
  const { message } = configureMessage(settings, hello);
  assert.deepEqual(message.runs, [{ id: 'linear-mse', kind: 'linear_mse' }]);
  assert.equal(message.dataset.name, 'plane');
});

test('a link to a regression set keeps the linear kinds it names and drops the others', () => {
  const hello = helloWithPlane();
  const settings = parseHash('#dataset=plane&runs=softmax_ce,linear_mse,linear_mse_sign_flipped', hello);
  reconcile(settings, hello);
  assert.deepEqual(settings.runs, ['linear_mse', 'linear_mse_sign_flipped']);
});
