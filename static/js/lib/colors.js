// Colours with one meaning each: class colours for data and boundaries, a diverging scale for signs.

export const CLASS_COLORS = ['#2f6db5', '#e07b24', '#3a9d5d', '#9b4dca', '#c0392b', '#8c6d31', '#17becf', '#7f7f7f', '#bcbd22', '#e377c2'];

export const NEGATIVE = '#2f6db5'; // blue: a gradient below zero
export const POSITIVE = '#e07b24'; // orange: a gradient above zero

export function classColor(index) {
  return CLASS_COLORS[index % CLASS_COLORS.length];
}

export function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** A signed value as a colour: blue below zero, orange above, white at zero; `scale` is the value of full colour. */
export function signedColor(value, scale) {
  const t = scale > 0 ? Math.min(Math.abs(value) / scale, 1) : 0;
  const [r, g, b] = hexToRgb(value < 0 ? NEGATIVE : POSITIVE);
  const mix = (c) => Math.round(255 + (c - 255) * t);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}
