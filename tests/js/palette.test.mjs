// The palette's helpers: signed values as pixels (the regression heatmap and the neuron maps share them), and the
// colour families, none of which borrows another's colour.

import assert from 'node:assert/strict';
import { test } from 'node:test';

const colors = await import('../../static/js/lib/colors.js');
const { NEGATIVE, POSITIVE, hexToRgb, signedPixels } = colors;

test('signed pixels: white at the centre, the sign’s colour at full strength a span away, clamped beyond', () => {
  const values = [9, 0.5, 1.5, -0.5, 2.5, 9];
  const pixels = signedPixels(values, 4, { offset: 1, centre: 0.5, span: 1, strength: 1 });
  assert.equal(pixels.length, 16);
  assert.deepEqual([...pixels.slice(0, 4)], [255, 255, 255, 255]); // 0.5: the centre
  assert.deepEqual([...pixels.slice(4, 8)], [...hexToRgb(POSITIVE), 255]); // a span above
  assert.deepEqual([...pixels.slice(8, 12)], [...hexToRgb(NEGATIVE), 255]); // a span below
  assert.deepEqual([...pixels.slice(12, 16)], [...hexToRgb(POSITIVE), 255]); // two spans above: no further
  const half = signedPixels([-1], 1, { strength: 0.5 });
  assert.deepEqual([...half.slice(0, 3)], hexToRgb(NEGATIVE).map((c) => Math.round(255 + (c - 255) * 0.5)));
});

test('no colour belongs to two families: pairings, classes, signs, weight layers and the neutral ink', () => {
  const families = { pairing: Object.values(colors.PAIRING_COLORS), class: colors.CLASS_COLORS,
    sign: [NEGATIVE, POSITIVE], layer: colors.LAYER_COLORS, neutral: [colors.NEUTRAL] };
  const owner = new Map();
  for (const [family, list] of Object.entries(families)) {
    for (const colour of new Set(list.map((c) => c.toLowerCase()))) {
      assert.equal(owner.get(colour), undefined, `${colour}: ${owner.get(colour)} and ${family}`);
      owner.set(colour, family);
    }
  }
  assert.equal(new Set(colors.CLASS_COLORS).size, 10);
});
