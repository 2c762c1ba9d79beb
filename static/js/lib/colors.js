// The page's one palette: each colour family has one meaning and no family borrows another's hue.
// - pairings (output layer + loss): vermillion, blue, bluish green, reddish purple (Okabe–Ito hues, darkened
//   to ≥ 4.5:1 on white so a run's colour can be used for text); a mistake run is its pairing's hue, dashed;
// - classes: violet, olive, then other hues no pairing uses (≥ 4.5:1 on white), none a colour of another family;
// - signed values: indigo below zero, amber above, white at zero; both mid-tones, so ink text stays ≥ 4.5:1
//   on the fullest cell and a bar still stands out 3:1 from white;
// - weight layers: an ordered ramp, navy (first layer) to taupe (last);
// - no family: the text ink, at low opacity where a quantity has no sign, class or run (a regression output, counts).

export const PAIRING_COLORS = {
  sigmoid_mse: '#b84a00',
  sigmoid_bce: '#0a6fb0',
  softmax_ce: '#007a5a',
  softmax_mse: '#b0447f',
  linear_mse: '#4d4d4d', // Okabe–Ito's black, lightened: a regression run, no class hue
};

export const CLASS_COLORS = ['#6a3d9a', '#4f7a00', '#7a6a00', '#5f6b7a', '#a61c3c', '#2e7d32', '#4a2a70', '#3f5200',
  '#8a4f2a', '#3b5998'];

export const NEGATIVE = '#7f8be0'; // indigo: a value below zero
export const POSITIVE = '#b8860b'; // amber: a value above zero

export const LAYER_COLORS = ['#10254a', '#2f5d73', '#4f7f6e', '#8a8a4f', '#6d5d4b'];

export const NEUTRAL = '#1d2330'; // the text ink (style.css's --ink)

export function classColor(index) {
  return CLASS_COLORS[index % CLASS_COLORS.length];
}

export function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** A signed value as a colour: indigo below zero, amber above, white at zero; `scale` is the value of full colour. */
export function signedColor(value, scale) {
  const t = scale > 0 ? Math.min(Math.abs(value) / scale, 1) : 0;
  const [r, g, b] = hexToRgb(value < 0 ? NEGATIVE : POSITIVE);
  const mix = (c) => Math.round(255 + (c - 255) * t);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

/**
 * The pixels (RGBA, for an ImageData) of `count` values from `offset` of `values` as signed colours around `centre`:
 * indigo below, amber above, white at the centre, `strength` of full colour at `span` away and beyond.
 */
export function signedPixels(values, count, { offset = 0, centre = 0, span = 1, strength = 1 } = {}) {
  const pixels = new Uint8ClampedArray(count * 4);
  const negative = hexToRgb(NEGATIVE);
  const positive = hexToRgb(POSITIVE);
  for (let cell = 0; cell < count; cell++) {
    const v = values[offset + cell] - centre;
    const rgb = v < 0 ? negative : positive;
    const t = strength * Math.min(Math.abs(v) / span, 1);
    for (let c = 0; c < 3; c++) pixels[cell * 4 + c] = Math.round(255 + (rgb[c] - 255) * t);
    pixels[cell * 4 + 3] = 255;
  }
  return pixels;
}
