// Each example's own ∂c/∂W of the output layer, for one run chosen in a menu, beside their mean: the examples pull
// in different directions, yet the mean is not zero while the outputs are off their labels.

import { element, keyboardScrollable } from '../../lib/dom.js';
import { formatNumber } from '../../lib/format.js';
import { signedColor } from '../../lib/colors.js';
import { gradientTable, meanGradient } from '../../lib/gradients.js';
import { runsOf } from '../../run-kinds.js';

function norm(matrix) {
  return Math.sqrt(matrix.flat().reduce((sum, v) => sum + v * v, 0));
}

/** The section for the configured runs; `onRunChange` when another run is chosen (draw again). */
export function createPerExampleGradients(state, onRunChange) {
  const section = element('section', 'per-example');
  const head = element('div', 'section-head');
  const select = element('select');
  select.id = 'math-run';
  select.setAttribute('aria-label', 'Run whose per-example gradients are shown');
  for (const run of runsOf(state.configured)) select.append(new Option(run.name, run.id));
  select.addEventListener('change', onRunChange);
  head.append(element('h3', '', 'Each example’s own ∂c/∂W of the output layer'), select);
  const body = element('div', 'per-example-body');
  section.append(head, body);

  let shown = null; // the tables on screen: { key, tables, matrices }; refilled in place while their shape holds

  /** The tables for these gradients, built once per run, example count and shape (a new table costs layout). */
  function tablesFor(configured, grads, scale, captions, key) {
    if (shown?.key === key) return shown;
    const matrices = [...grads, meanGradient(grads)];
    const tables = matrices.map((g, i) => gradientTable(g, scale, captions[i]));
    const box = keyboardScrollable(element('div', 'grad-tables'), 'Each example’s ∂c/∂W tables');
    box.append(...tables);
    // Each cell's exact value on hover, from the numbers shown, instead of a title rewritten every frame.
    box.addEventListener('pointerover', (event) => {
      const td = event.target.closest?.('td');
      const t = tables.indexOf(td?.closest('table'));
      if (t < 0) return;
      const j = td.parentElement.rowIndex;
      const k = td.cellIndex;
      td.title = `∂c/∂w[${j + 1}][${k + 1}] = ${formatNumber(shown.matrices[t][j][k], 4)}`;
    });
    const sentence = element('p', 'card-note',
      'Rows are output units, columns hidden units; blue below 0, orange above. The examples pull in different ' +
      'directions, but each row is δⱼ times that example’s own hidden activations, so they do not cancel: ' +
      'the mean is not zero while the outputs are off their labels.');
    body.replaceChildren(box, sentence);
    shown = { key, tables, matrices, colors: matrices.map((g) => g.map((row) => row.map(() => ''))) };
    return shown;
  }

  function draw({ configured, frame }) {
    const r = configured.config.runs.findIndex((run) => run.id === select.value);
    const grads = frame.runs[Math.max(r, 0)].output.per_example_grad_W;
    if (!grads) {
      shown = null;
      body.replaceChildren(element('p', 'card-note', 'The output layer is too large for its per-example gradients to be streamed.'));
      return;
    }
    const mean = meanGradient(grads);
    const scale = Math.max(...grads.flat(2).map(Math.abs), 1e-300);
    const all = grads.length === configured.labels.length;
    const captions = grads.map((g, e) => {
      const label = configured.class_names[configured.labels[e].indexOf(1)] ?? '';
      return `example ${e} (${label}): ‖·‖ = ${formatNumber(norm(g), 2)}`;
    });
    captions.push(`${all ? 'mean: the gradient used' : `mean of these ${grads.length}`}: ‖·‖ = ${formatNumber(norm(mean), 2)}`);
    const key = `${select.value} ${grads.length} ${grads[0].length}x${grads[0][0]?.length}`;
    const built = shown?.key !== key;
    const current = tablesFor(configured, grads, scale, captions, key);
    current.matrices = [...grads, mean];
    if (built) return;
    current.tables.forEach((table, t) => refill(table, current.matrices[t], scale, captions[t], current.colors[t]));
  }

  return { element: section, draw };
}

/** New numbers into a table gradientTable built: only what changed is written (colours, numbers, caption). */
function refill(table, matrix, scale, caption, colors) {
  if (table.caption.textContent !== caption) table.caption.textContent = caption;
  const numbers = !table.classList.contains('compact');
  matrix.forEach((row, j) => row.forEach((value, k) => {
    const td = table.rows[j].cells[k];
    const color = signedColor(value, scale);
    if (colors[j][k] !== color) {
      colors[j][k] = color;
      td.style.background = color;
    }
    if (numbers) {
      const text = formatNumber(value, 2);
      if (td.textContent !== text) td.textContent = text;
    }
  }));
  table.querySelectorAll('td[title]').forEach((td) => td.removeAttribute('title')); // set again on hover
}
