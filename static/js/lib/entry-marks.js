// Which of the learner's numbers equal the exact ones, entry by entry, by the server's own rule.

/**
 * The rule of app/check/compare.py, so a mark never contradicts the report: an entry matches when
 * |yours − exact| ≤ relative·|exact| + absolute + of_largest_entry·max|exact|, the max over the same array.
 */
export function entryMatches(yours, exact, tolerance, largest) {
  const allowed = tolerance.relative * Math.abs(exact) + tolerance.absolute + tolerance.of_largest_entry * largest;
  return Math.abs(yours - exact) <= allowed;
}

const shapeOf = (a) => (Array.isArray(a) ? [a.length, ...(Array.isArray(a[0]) ? [a[0].length] : [])] : []);
const flat = (a) => (Array.isArray(a) ? a.flat(Infinity) : [a]);
const transpose = (rows) => rows[0].map((_, j) => rows.map((row) => row[j]));

/**
 * The learner's array in the exact one's layout: a vector (exact [n]) from a column (n, 1), a row or a flat
 * list; a matrix as given, or transposed (∂C/∂W as aᵀδ) when `transposed`, the reading the server reported
 * (QuantityCheck.transposed), so a square matrix is marked the way it was checked. Null when it does not fit.
 */
export function inExactLayout(yours, exact, transposed = false) {
  const [rows, cols] = shapeOf(exact);
  if (cols === undefined) {
    const values = flat(yours);
    return values.length === rows ? values.map((v) => [v]) : null;
  }
  const [yr, yc] = transposed ? [cols, rows] : [rows, cols];
  const fits = shapeOf(yours)[0] === yr && yours.every((r) => Array.isArray(r) && r.length === yc);
  if (!fits) return null;
  return transposed ? transpose(yours) : yours;
}

/**
 * Each entry of `yours` beside the exact one, as rows (a vector is a column, as in Nielsen's code):
 * [[{ yours, exact, matches }]], `yours` read `transposed` or not. Null when the shapes do not fit.
 */
export function markEntries(yours, exact, tolerance, transposed = false) {
  const aligned = inExactLayout(yours, exact, transposed);
  if (!aligned) return null;
  const exactRows = Array.isArray(exact[0]) ? exact : exact.map((v) => [v]);
  const largest = flat(exact).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return exactRows.map((row, i) => row.map((e, j) => {
    const y = aligned[i][j];
    return { yours: y, exact: e, matches: typeof y === 'number' && entryMatches(y, e, tolerance, largest) };
  }));
}
