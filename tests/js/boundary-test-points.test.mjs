// Where the boundary view puts an example and in which colour: the test part's rings follow the training dots' rule.

import assert from 'node:assert/strict';
import { test } from 'node:test';

const { CLASS_COLORS, signedColor } = await import('../../static/js/lib/colors.js');
const { VALUE_SCALE, canvasPoint, exampleColor } = await import('../../static/js/views/boundary-dots.js');

test('the extent’s corners land on the canvas’s corners, with y growing upwards', () => {
  const extent = [-2, 2, -1, 3];
  assert.deepEqual(canvasPoint([-2, 3], extent, 200), [0, 0]);
  assert.deepEqual(canvasPoint([2, -1], extent, 200), [200, 200]);
  assert.deepEqual(canvasPoint([0, 1], extent, 200), [100, 100]);
  assert.deepEqual(canvasPoint([1, 2], extent, 400), [300, 100]);
});

test('an example’s colour is its class’s, or its regression target’s signed colour', () => {
  assert.equal(exampleColor([1, 0], 'classification'), CLASS_COLORS[0]);
  assert.equal(exampleColor([0, 1], 'classification'), CLASS_COLORS[1]);
  assert.equal(exampleColor([0.1, 0.2, 0.7], 'classification'), CLASS_COLORS[2]);
  assert.equal(exampleColor([-0.4], 'regression'), signedColor(-0.4, VALUE_SCALE));
  assert.equal(exampleColor([3], 'regression'), signedColor(1, VALUE_SCALE)); // beyond the scale: full colour
});
