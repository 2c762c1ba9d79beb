// The output layer's per-example gradients (∂c/∂W, rows are output units), as numbers and as tables.

import { signedColor } from './colors.js';
import { element } from './dom.js';
import { formatNumber } from './format.js';

const MAX_CELLS_WITH_NUMBERS = 24; // larger tables show colours only; every number is still on hover

/** Mean of the per-example gradients: with every example present, the full-batch ∂C/∂W of the output layer. */
export function meanGradient(perExample) {
  const count = perExample.length;
  return perExample[0].map((row, j) => row.map((_, k) => perExample.reduce((sum, g) => sum + g[j][k], 0) / count));
}

/** A matrix as a small table of coloured cells (indigo below 0, amber above), numbers in the cells when they fit. */
export function gradientTable(matrix, scale, caption) {
  const showNumbers = matrix.length * (matrix[0]?.length ?? 0) <= MAX_CELLS_WITH_NUMBERS;
  const table = element('table', showNumbers ? 'grad-table' : 'grad-table compact');
  table.append(element('caption', '', caption));
  for (const [j, row] of matrix.entries()) {
    const tr = element('tr');
    for (const [k, value] of row.entries()) {
      const td = element('td', '', showNumbers ? formatNumber(value, 2) : '');
      td.style.background = signedColor(value, scale);
      td.title = `∂c/∂w[${j + 1}][${k + 1}] = ${formatNumber(value, 4)}`;
      tr.append(td);
    }
    table.append(tr);
  }
  return table;
}
