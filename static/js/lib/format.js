// Numbers as a learner reads them: a few significant digits, exponents only when needed.

export function formatNumber(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (value === 0) return '0';
  const size = Math.abs(value);
  if (size >= 1e-3 && size < 1e5) return Number(value.toPrecision(digits)).toString();
  return value.toExponential(digits - 1).replace('e+', 'e');
}

export function formatStep(step) {
  return step.toLocaleString('en-US');
}

export function formatVector(values, digits = 3) {
  return '[' + values.map((v) => formatNumber(v, digits)).join(', ') + ']';
}

const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/** A whole number in superscript digits: 12 → ¹², -6 → ⁻⁶. */
export function superscript(n) {
  return String(n).replace(/[-\d]/g, (c) => SUPERSCRIPT[c]);
}
