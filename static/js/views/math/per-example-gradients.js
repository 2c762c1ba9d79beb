// Each example's own ∂c/∂W of the output layer, for one run chosen in a menu, beside their mean: the examples pull
// in different directions, yet the mean is not zero while the outputs are off their labels.

import { element } from '../../lib/dom.js';
import { formatNumber } from '../../lib/format.js';
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

  function draw({ configured, frame }) {
    const r = configured.config.runs.findIndex((run) => run.id === select.value);
    const grads = frame.runs[Math.max(r, 0)].output.per_example_grad_W;
    if (!grads) {
      body.replaceChildren(element('p', 'card-note', 'The output layer is too large for its per-example gradients to be streamed.'));
      return;
    }
    const mean = meanGradient(grads);
    const scale = Math.max(...grads.flat(2).map(Math.abs), 1e-300);
    const tables = element('div', 'grad-tables');
    grads.forEach((g, e) => {
      const label = configured.class_names[configured.labels[e].indexOf(1)] ?? '';
      tables.append(gradientTable(g, scale, `example ${e} (${label}): ‖·‖ = ${formatNumber(norm(g), 2)}`));
    });
    const all = grads.length === configured.labels.length;
    tables.append(gradientTable(mean, scale, `${all ? 'mean: the gradient used' : `mean of these ${grads.length}`}: ‖·‖ = ${formatNumber(norm(mean), 2)}`));
    const sentence = element('p', 'card-note',
      'Rows are output units, columns hidden units; blue below 0, orange above. The examples pull in different ' +
      'directions, but each row is δⱼ times that example’s own hidden activations, so they do not cancel: ' +
      'the mean is not zero while the outputs are off their labels.');
    body.replaceChildren(tables, sentence);
  }

  return { element: section, draw };
}
