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
