// KaTeX rendering and the TeX for vectors and matrices of live numbers.

import katex from '../../../vendor/katex/katex.mjs';
import { element, keyboardScrollable } from './dom.js';
import { formatNumber } from './format.js';

export function renderTex(node, tex, displayMode = false) {
  katex.render(tex, node, { throwOnError: false, displayMode });
  // A display formula wider than its column scrolls sideways: reachable by keyboard while it does. No region of
  // its own (many formulas would be many landmarks); KaTeX's MathML is what a screen reader reads.
  const display = displayMode && node.querySelector('.katex-display');
  if (display) keyboardScrollable(display);
}

/** A formula in display mode as a block of its own: one line that never breaks (it scrolls sideways when too wide). */
export function texBlock(tex, className = 'tex') {
  const node = element('div', className);
  renderTex(node, tex, true);
  return node;
}

/** A number as TeX; exponents as a compact “e−4” (a ×10⁻⁴ makes vectors and matrices twice as wide). */
export function texNumber(value, digits = 3) {
  return formatNumber(value, digits).replace(/e(-?\d+)/, (_, exp) => String.raw`\mathrm{e}{${exp}}`);
}

/** A vector written as a row with a transpose sign, so long ones stay one line high. */
export function texRowVector(values) {
  return String.raw`\begin{bmatrix}${values.map((v) => texNumber(v)).join(' & ')}\end{bmatrix}^{\!\top}`;
}

export function texMatrix(rows, digits = 3) {
  return String.raw`\begin{bmatrix}${rows.map((row) => row.map((v) => texNumber(v, digits)).join(' & ')).join(String.raw`\\`)}\end{bmatrix}`;
}

export function texColumnVector(values) {
  return String.raw`\begin{bmatrix}${values.map((v) => texNumber(v)).join(String.raw`\\`)}\end{bmatrix}`;
}
