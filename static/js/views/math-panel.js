// View 6: the four backprop equations, each run's δᴸ rule with the selected example's numbers plugged in,
// the output Jacobian, the per-example output-layer gradients side by side, and the gradient check.

import { element } from '../lib/dom.js';
import { formatNumber, formatStep } from '../lib/format.js';
import { gradientTable, meanGradient } from '../lib/gradients.js';
import { renderTex, texColumnVector, texMatrix, texRowVector } from '../lib/tex.js';
import { NOT_MEANINGFUL } from '../gradcheck-verdict.js';
import { createThrottle } from '../lib/throttle.js';
import { runsOf } from '../run-kinds.js';

const MAX_OUTPUTS_AS_COLUMNS = 4; // more outputs than this: vectors as rows, in wider cards

const EQUATIONS = [
  ['BP1', String.raw`\delta^L = J^{\top}\,\nabla_{\!a} C,\qquad J = \frac{\partial a^L}{\partial z^L}`],
  ['', String.raw`\text{sigmoid: } J = \operatorname{diag}\sigma'(z^L) \;\Rightarrow\; \delta^L = \nabla_{\!a} C \odot \sigma'(z^L)`],
  ['BP2', String.raw`\delta^l = \big((W^{l+1})^{\top} \delta^{l+1}\big) \odot \sigma'(z^l)`],
  ['BP3', String.raw`\dfrac{\partial C}{\partial b^l} = \delta^l`],
  ['BP4', String.raw`\dfrac{\partial C}{\partial W^l} = \delta^l \,(a^{l-1})^{\top}`],
];

/** Display mode: one line that never breaks (it scrolls sideways when too wide), left-aligned by the CSS. */
function texBlock(tex, className = 'tex') {
  const node = element('div', className);
  renderTex(node, tex, true);
  return node;
}

function norm(matrix) {
  return Math.sqrt(matrix.flat().reduce((sum, v) => sum + v * v, 0));
}

export function createMathPanel({ container, sendGradcheck, requestDraw }) {
  let seen = { config: -1, frame: -1, events: -1 };
  let parts = null;
  const throttle = createThrottle(requestDraw, () => { parts.dirty = true; });

  function build(state) {
    container.replaceChildren();
    const equations = element('div', 'equations');
    equations.setAttribute('aria-label', 'The four equations of backpropagation');
    for (const [name, tex] of EQUATIONS) {
      const row = element('div', 'equation');
      row.append(element('span', 'equation-name', name), texBlock(tex));
      equations.append(row);
    }
    const intro = element('p', 'card-note',
      'Only BP1 depends on the output layer: σ′(z) is replaced by the output activation’s Jacobian J, and the ' +
      'loss’s ∇ₐC. Here is δᴸ for each run, with the selected example’s numbers.');

    // Many outputs are shown as rows and a wide Jacobian: give each card the panel's width (style.css).
    const manyOutputs = state.configured.class_names.length > MAX_OUTPUTS_AS_COLUMNS;
    const deltas = element('div', manyOutputs ? 'delta-cards many-outputs' : 'delta-cards');
    const runCards = runsOf(state.configured).map((run) => {
      const card = element('article', `delta-card${run.mistake ? ' mistake' : ''}`);
      const head = element('h3', 'run-name', run.name);
      head.style.setProperty('--run-color', run.color);
      card.append(head);
      if (run.mistake) card.append(element('p', 'wrong', '✗ A mistake, shown on purpose'));
      card.append(texBlock(run.deltaTex), element('p', 'why', run.why));
      const numbers = element('div', 'numbers');
      card.append(numbers);
      deltas.append(card);
      return { run, numbers };
    });

    const perExample = element('section', 'per-example');
    const perExampleHead = element('div', 'section-head');
    const heading = element('h3', '', 'Each example’s own ∂c/∂W of the output layer');
    const select = element('select');
    select.id = 'math-run';
    select.setAttribute('aria-label', 'Run whose per-example gradients are shown');
    for (const run of runsOf(state.configured)) select.append(new Option(run.name, run.id));
    select.addEventListener('change', () => {
      parts.dirty = true;
      requestDraw();
    });
    perExampleHead.append(heading, select);
    const perExampleBody = element('div', 'per-example-body');
    perExample.append(perExampleHead, perExampleBody);

    const check = element('section', 'gradcheck');
    const checkHead = element('div', 'section-head');
    const button = element('button', '', 'Check the gradients');
    button.type = 'button';
    button.id = 'gradcheck';
    button.addEventListener('click', sendGradcheck);
    checkHead.append(element('h3', '', 'Gradient check'), button);
    const checkBody = element('div', 'gradcheck-body');
    checkBody.append(element('p', 'card-note',
      'Compares backprop’s ∂C/∂W with central differences (C(w+h) − C(w−h)) / 2h at the current weights.'));
    check.append(checkHead, checkBody);

    container.append(equations, intro, deltas, perExample, check);
    parts = { runCards, select, perExampleBody, checkBody };
  }

  function numbersOf(state, r) {
    const { configured, frame } = state;
    const run = frame.runs[r];
    const e = run.output.example;
    const a = run.outputs[e];
    const y = configured.labels[e];
    const delta = run.output.delta[e];
    if (!a || !delta) return [String.raw`\text{example ${e} is past the first ${run.outputs.length} examples a frame carries}`];
    // A few outputs read best as columns side by side; many, as rows one under the other.
    const columns = a.length <= MAX_OUTPUTS_AS_COLUMNS;
    const vector = columns ? texColumnVector : texRowVector;
    const terms = [String.raw`a = ${vector(a)}`, String.raw`y = ${vector(y)}`, String.raw`\delta^L = ${vector(delta)}`];
    const lines = columns ? [terms] : terms; // an array is one row whose terms wrap between, never inside
    if (run.output.delta_correct) lines.push(String.raw`\text{right rule: } J^{\top}(a-y) = ${vector(run.output.delta_correct[e])}`);
    lines.push(String.raw`J = \frac{\partial a}{\partial z} = ${texMatrix(run.output.jacobian, a.length > 2 ? 2 : 3)}`);
    return lines;
  }

  /** Beside the mistake: with two classes it is exactly half the right δᴸ, which is why it still learns. */
  function mistakeNote(state, r) {
    const run = state.frame.runs[r];
    if (!run.output.delta_correct) return null;
    const note = element('p', 'why');
    note.textContent = state.configured.class_names.length === 2
      ? 'With two classes it comes out exactly half the right δᴸ (compare the two lines), so this run still ' +
        'learns, only more slowly. With three or more classes the two point in different directions.'
      : 'With three or more classes it points in a different direction from the right δᴸ: compare the two lines.';
    return note;
  }

  function drawNumbers(state) {
    parts.runCards.forEach(({ numbers }, r) => {
      numbers.replaceChildren(...numbersOf(state, r).map((line) => {
        if (!Array.isArray(line)) return texBlock(line, 'tex number');
        const row = element('div', 'tex-row');
        row.append(...line.map((tex) => texBlock(tex, 'tex number')));
        return row;
      }));
      const note = mistakeNote(state, r);
      if (note) numbers.append(note);
    });
  }

  function drawPerExample(state) {
    const { configured, frame } = state;
    const r = configured.config.runs.findIndex((run) => run.id === parts.select.value);
    const run = frame.runs[Math.max(r, 0)];
    const body = parts.perExampleBody;
    const grads = run.output.per_example_grad_W;
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
      `the mean is not zero while the outputs are off their labels.`);
    body.replaceChildren(tables, sentence);
  }

  /** One layer's verdict in words: the server's rule, with the reason when the relative error alone looks bad. */
  function layerWords(layer, rule) {
    if (layer.verdict === 'not_meaningful') return { className: 'moot', text: NOT_MEANINGFUL };
    if (layer.verdict === 'wrong') return { className: 'bad', text: '✗ differs' };
    if (layer.relative_error > rule.relative_error) {
      return {
        className: 'ok',
        text: `✓ agrees: ${formatNumber(layer.relative_error, 2)} relative, but only ${formatNumber(layer.max_abs_difference, 2)} apart`,
      };
    }
    return { className: 'ok', text: '✓ agrees' };
  }

  function drawGradcheck(state) {
    const results = Object.values(state.gradcheck);
    if (results.length === 0) return;
    const thresholds = state.hello.gradcheck_rule;
    const table = element('table', 'gradcheck-table');
    const head = element('tr');
    for (const title of ['run', 'layer', 'relative error', 'largest difference', '']) head.append(element('th', '', title));
    table.append(head);
    const runs = runsOf(state.configured);
    const messages = element('ul', 'gradcheck-messages');
    for (const event of results) {
      const run = runs.find((r) => r.id === event.run);
      for (const layer of event.layers ?? []) {
        const words = layerWords(layer, thresholds);
        const tr = element('tr', words.className);
        tr.dataset.run = event.run;
        tr.append(
          element('td', '', run?.name ?? event.run),
          element('td', '', `W${layer.layer + 1}`),
          element('td', '', formatNumber(layer.relative_error, 2)),
          element('td', '', formatNumber(layer.max_abs_difference, 2)),
          element('td', 'verdict-text', words.text),
        );
        table.append(tr);
      }
      const item = element('li', '', `${event.headline}. ${event.detail}`);
      item.dataset.cause = event.cause;
      messages.append(item);
    }
    const rule = element('p', 'card-note',
      `A layer differs when its relative error is above ${formatNumber(thresholds.relative_error, 1)} and its gradients are more ` +
      `than ${formatNumber(thresholds.max_abs_difference, 1)} apart (the server’s rule): where both gradients are about zero, ` +
      'the relative error alone means nothing.');
    const step = results[0].step;
    parts.checkBody.replaceChildren(element('p', 'card-note', `At step ${formatStep(step)}:`), table, rule, messages);
  }

  return {
    draw(state) {
      if (!state.configured || !state.frame) return;
      const rebuilt = seen.config !== state.rev.config || !parts;
      if (rebuilt) build(state);
      else if (seen.frame === state.rev.frame && seen.events === state.rev.events && !parts.dirty) return;
      if (rebuilt) throttle.drawn();
      else if (throttle.tooSoon()) return;
      parts.dirty = false;
      seen = { config: state.rev.config, frame: state.rev.frame, events: state.rev.events };
      drawNumbers(state);
      drawPerExample(state);
      drawGradcheck(state);
    },
    canvases: () => [],
  };
}
