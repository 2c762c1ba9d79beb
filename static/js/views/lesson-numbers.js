// The live numbers beside a lesson's text, read from the store: the very numbers its sentences talk about.
// One drawing per kind of lesson (app/lessons/model.py, `Numbers`); each copes with whatever is configured,
// since the learner may change any setting while a lesson is open.

import { element, keyboardScrollable } from '../lib/dom.js';
import { formatNumber, formatStep } from '../lib/format.js';
import { gradientTable, meanGradient } from '../lib/gradients.js';
import { renderTex, texMatrix } from '../lib/tex.js';
import { NOT_MEANINGFUL, runVerdict } from '../gradcheck-verdict.js';
import { runsOf } from '../run-kinds.js';
import { runName } from './run-name.js';


const fixed = (value, digits = 3) => (value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits));
const vector = (values, digits = 3) => `[${values.map((v) => fixed(v, digits)).join(', ')}]`;
const norm = (values) => Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
const dot = (u, v) => u.reduce((sum, x, i) => sum + x * v[i], 0);

/** A table in a box of its own that scrolls sideways when the table is wider than the panel. */
function table(caption, headers, rows, className = 'lesson-table') {
  const box = keyboardScrollable(element('div', 'lesson-scroll'), caption || 'Table');
  const node = element('table', className);
  box.append(node);
  if (caption) node.append(element('caption', '', caption));
  const head = element('tr');
  for (const title of headers) head.append(element('th', '', title));
  node.append(head);
  for (const row of rows) {
    const tr = element('tr');
    row.forEach((cell, i) => {
      const td = element(i === 0 ? 'th' : 'td');
      if (i === 0) td.scope = 'row';
      if (cell instanceof Node) td.append(cell);
      else td.textContent = cell;
      tr.append(td);
    });
    node.append(tr);
  }
  return box;
}

function exampleName(configured, e) {
  const input = configured.inputs[e];
  const label = configured.class_names[configured.labels[e].indexOf(1)] ?? '';
  return input.length <= 4 ? `[${input.map((v) => formatNumber(v, 3)).join(', ')}] → ${label}` : `example ${e} (${label})`;
}

const REACHED = 'reached the labels?'; // the engine's `converged`: hello.thresholds.reached_labels

/** Where a run stands, under REACHED: yes (at which step), stuck or diverged, or not yet. */
function status(state, runId) {
  if (runId in state.converged) return `yes, at step ${formatStep(state.converged[runId])}`;
  const event = state.diagnoses.find((d) => d.run === runId);
  if (event?.event === 'collapsed') return `no: stuck (seen at step ${formatStep(event.step)})`;
  if (event?.event === 'diverged') return `no: diverged at step ${formatStep(event.step)}`;
  return `not yet (step ${formatStep(state.frame.step)})`;
}

/** The diagnosis's causes, once per cause, in plain words. */
function causes(state) {
  const seen = new Map();
  for (const event of state.diagnoses) {
    for (const cause of event.causes ?? []) if (!seen.has(cause.id)) seen.set(cause.id, cause.detail);
  }
  if (seen.size === 0) {
    const learned = state.configured.config.runs.every((run) => run.id in state.converged);
    return element('p', 'lesson-note', learned ? 'No diagnosis: nothing is stuck, every run reached its labels.'
      : `No diagnosis yet: a run that is stuck is reported from step ${formatStep(state.hello.thresholds.collapse_reported_from)} on. Press Play.`);
  }
  const box = element('div', 'lesson-causes');
  box.append(element('p', 'lesson-note', 'The diagnosis:'));
  const list = element('ul');
  for (const [code, message] of seen) {
    const item = element('li', '', message);
    item.dataset.cause = code;
    list.append(item);
  }
  box.append(list);
  return box;
}

// --- 1: the two examples' output-layer gradients -----------------------------------------------------------

/** Each example's hidden activations, read back from its gradient rows: row j is δⱼ times them (BP4). */
function hiddenActivations(grad, delta) {
  let j = 0;
  delta.forEach((d, i) => { if (Math.abs(d) > Math.abs(delta[j])) j = i; });
  return delta[j] === 0 ? null : grad[j].map((g) => g / delta[j]);
}

function perExampleGradients(state) {
  const { configured, frame } = state;
  const run = frame.runs[0];
  const info = runsOf(configured)[0];
  const grads = run.output.per_example_grad_W;
  if (!grads || grads.length < 2) return [element('p', 'lesson-note', 'This network is too large for its per-example gradients to be shown.')];
  const [a, b] = [0, 1];
  const hidden = [a, b].map((e) => hiddenActivations(grads[e], run.output.delta[e]));
  const rows = [a, b].map((e) => [exampleName(configured, e), vector(run.outputs[e], 2), vector(run.output.delta[e], 3),
    hidden[e] ? vector(hidden[e], 2) : '–']);
  const examples = table(`${info.name}, step ${formatStep(frame.step)}`, ['example', 'output a', 'δᴸ', 'hidden activations'], rows);

  const outputs = [run.outputs[a], run.outputs[b]].flat();
  const where = element('p', 'lesson-status');
  // "Near [0.5, 0.5]" uses the engine's `converged` distance, hello.thresholds.reached_labels.
  const near = state.hello.thresholds.reached_labels;
  where.dataset.status = outputs.every((v) => Math.abs(v - 0.5) < near) ? 'plateau' : info.id in state.converged ? 'labels' : 'moving';
  where.textContent = {
    plateau: `Both examples’ outputs are within ${near} of [0.5, 0.5]: the network answers the average label for both.`,
    labels: `Every output is within ${near} of its label (since step ${formatStep(state.converged[info.id] ?? 0)}).`,
    moving: 'The outputs are not at [0.5, 0.5]: they are moving.',
  }[where.dataset.status];

  const [ga, gb] = [grads[a].flat(), grads[b].flat()];
  const sum = ga.map((v, i) => v + gb[i]);
  const mean = meanGradient([grads[a], grads[b]]);
  const scale = Math.max(...ga.map(Math.abs), ...gb.map(Math.abs), 1e-300);
  const tables = keyboardScrollable(element('div', 'grad-tables'), 'Both examples’ gradient tables');
  tables.append(
    gradientTable(grads[a], scale, `∂c/∂w for ${exampleName(configured, a)}`),
    gradientTable(grads[b], scale, `∂c/∂w for ${exampleName(configured, b)}`),
    gradientTable(mean, scale, 'their average: the step taken'),
  );
  const cosine = dot(ga, gb) / (norm(ga) * norm(gb));
  const share = norm(sum) / (norm(ga) + norm(gb));
  const verdict = element('p', 'lesson-note');
  verdict.dataset.cosine = String(cosine);
  verdict.textContent = `Rows are the outputs, columns the hidden neurons; indigo below 0, amber above. ` +
    `The two point opposite ways (cosine ${fixed(cosine, 2)}; −1 would be exactly opposite), yet their sum is ` +
    `${Math.round(share * 100)}% as large as the two together: they do not cancel.`;
  return [where, examples, tables, verdict];
}

// --- the bug that gives [0.5, 0.5]: the right step beside the one averaged too early --------------------------

/** The outer product of two lists: row j is u[j] times v. */
const outer = (u, v) => u.map((x) => v.map((y) => x * y));
const meanOf = (rows) => rows[0].map((_, i) => rows.reduce((sum, row) => sum + row[i], 0) / rows.length);

/** One run's card: both examples' outputs, their own ∂c/∂w, and the step the run takes from them. */
function stepCard(state, info, run) {
  const { configured } = state;
  const card = element('div', 'lesson-card');
  card.dataset.run = info.id;
  card.append(runName(info));
  const grads = run.output.per_example_grad_W;
  if (!grads || grads.length < 2 || run.outputs.length < 2) {
    card.append(element('p', 'lesson-note', 'This network is too large for its per-example gradients to be shown.'));
    return card;
  }
  const near = state.hello.thresholds.reached_labels;
  const outputs = [run.outputs[0], run.outputs[1]];
  const where = element('p', 'lesson-status');
  where.dataset.status = outputs.flat().every((v) => Math.abs(v - 0.5) < near) ? 'plateau'
    : info.id in state.converged ? 'labels' : 'moving';
  where.textContent = `${exampleName(configured, 0)}: ${vector(outputs[0], 3)}; ${exampleName(configured, 1)}: ${vector(outputs[1], 3)}.`;

  // The right step is the mean of the examples' own products; the bug's is the product of the means (BP4).
  const deltas = [run.output.delta[0], run.output.delta[1]];
  const hidden = [0, 1].map((e) => hiddenActivations(grads[e], deltas[e]));
  const step = info.mistake === 'examples_mixed'
    ? (hidden.every(Boolean) ? outer(meanOf(deltas), meanOf(hidden)) : null)
    : meanGradient([grads[0], grads[1]]);
  const [ga, gb] = [grads[0].flat(), grads[1].flat()];
  const scale = Math.max(...ga.map(Math.abs), ...gb.map(Math.abs), 1e-300);
  const tables = keyboardScrollable(element('div', 'grad-tables'), `Gradient tables of ${info.name}`);
  tables.append(gradientTable(grads[0], scale, `∂c/∂w for ${exampleName(configured, 0)}`),
    gradientTable(grads[1], scale, `∂c/∂w for ${exampleName(configured, 1)}`));
  if (step) tables.append(gradientTable(step, scale, 'the step taken'));

  // The server's own size of the step this run takes (its learner's ∂C/∂W of the output layer).
  const layers = run.layers;
  const taken = layers.length ? layers[layers.length - 1].grad_W_norm : null;
  const share = taken === null ? null : taken / ((norm(ga) + norm(gb)) / 2);
  const note = element('p', 'lesson-note');
  if (share !== null) note.dataset.stepShare = String(share);
  note.textContent = `Mean δᴸ: ${vector(meanOf(deltas), 4)}. The step taken is ` +
    `${share === null ? '–' : `${formatNumber(share * 100, 2)}%`} of the size of the examples’ own ∂c/∂w.`;
  card.append(where, tables, note, element('p', 'lesson-note', `${REACHED} ${status(state, info.id)}`));
  return card;
}

function averagedTooEarly(state) {
  const { configured, frame } = state;
  const cards = element('div', 'lesson-cards');
  runsOf(configured).forEach((info, r) => cards.append(stepCard(state, info, frame.runs[r])));
  return [element('p', 'lesson-note', `Step ${formatStep(frame.step)}. Rows are the outputs, columns the hidden ` +
    'neurons; indigo below 0, amber above.'), cards, causes(state)];
}

// --- 2: the Jacobian of the output layer ------------------------------------------------------------------

function jacobians(state) {
  const { configured, frame } = state;
  const e = frame.runs[0].output.example;
  const parts = [element('p', 'lesson-status', `Example ${e}: ${exampleName(configured, e)}. Choose another in the math panel, or with Try this.`)];
  const cards = element('div', 'lesson-cards');
  runsOf(configured).forEach((info, r) => {
    const run = frame.runs[r];
    const a = run.outputs[e];
    const jacobian = run.output.jacobian;
    const card = element('div', 'lesson-card');
    card.dataset.run = info.id;
    card.append(runName(info));
    if (!a || !jacobian) {
      card.append(element('p', 'lesson-note', 'This example is past the ones a frame carries.'));
      cards.append(card);
      return;
    }
    const sum = a.reduce((s, v) => s + v, 0);
    card.append(element('p', 'lesson-note', `a = ${vector(a, 3)}, adding up to ${fixed(sum, 3)}`));
    const matrix = element('div', 'tex');
    renderTex(matrix, String.raw`J = \frac{\partial a}{\partial z} = ${texMatrix(jacobian, a.length > 2 ? 2 : 3)}`, true);
    card.append(matrix);
    const softmax = info.kind.startsWith('softmax');
    const rowSums = jacobian.map((row) => row.reduce((s, v) => s + v, 0));
    card.append(element('p', 'lesson-note', softmax
      ? `Full: aᵢ(1 − aᵢ) on the diagonal, −aᵢaⱼ elsewhere. Row sums: ${vector(rowSums.map((v) => (Math.abs(v) < 5e-4 ? 0 : v)), 3)}.`
      : 'Diagonal: σ′(zⱼ) = aⱼ(1 − aⱼ), and zeros elsewhere: each output depends on its own z only.'));
    cards.append(card);
  });
  parts.push(cards);
  return parts;
}

// --- 3: δᴸ of each run, and which reached the labels first -------------------------------------------------

function deltas(state) {
  const { configured, frame } = state;
  const e = frame.runs[0].output.example;
  const y = configured.labels[e];
  const rows = runsOf(configured).map((info, r) => {
    const run = frame.runs[r];
    const a = run.outputs[e];
    const delta = run.output.delta[e];
    if (!a || !delta) return [runName(info), '–', '–', '–', status(state, info.id)];
    const error = a.map((v, i) => v - y[i]);
    const ratio = delta.map((d, i) => (Math.abs(error[i]) > 1e-9 ? d / error[i] : null));
    return [runName(info), vector(error, 3), vector(delta, 3), vector(ratio, 3), status(state, info.id)];
  });
  const node = table(`Example ${e}: ${exampleName(configured, e)}, step ${formatStep(frame.step)}`,
    ['run', 'a − y', 'δᴸ', 'δᴸ ÷ (a − y)', REACHED], rows);
  return [node, element('p', 'lesson-note',
    'δᴸ ÷ (a − y) is σ′(z) for sigmoid + quadratic cost, never above 0.25; for softmax + cross-entropy it is exactly 1.')];
}

// --- 4: the gradient check, and the mistake beside the right rule --------------------------------------------

function gradcheck(state) {
  const { configured, frame } = state;
  const runs = runsOf(configured);
  const parts = [];
  const results = Object.values(state.gradcheck);
  if (results.length === 0) {
    parts.push(element('p', 'lesson-status', 'The gradient check has not run yet: press “Try this”.'));
  } else {
    const rows = results.map((event) => {
      const info = runs.find((r) => r.id === event.run);
      const worst = Math.max(...event.layers.map((layer) => layer.relative_error));
      const apart = Math.max(...event.layers.map((layer) => layer.max_abs_difference));
      // The server's verdict (both thresholds), never the relative error alone.
      const verdict = {
        wrong: element('span', 'verdict bad', '✗ wrong'),
        agrees: element('span', 'verdict ok', '✓ agrees'),
        diverged: element('span', 'verdict moot', NOT_MEANINGFUL),
      }[runVerdict(event)];
      return [info ? runName(info) : event.run, formatNumber(worst, 2), formatNumber(apart, 2), verdict];
    });
    parts.push(table(`Gradient check at step ${formatStep(results[0].step)}`,
      ['run', 'largest relative error', 'largest difference', ''], rows, 'lesson-table lesson-gradcheck'));
  }
  const r = runs.findIndex((info) => info.mistake);
  const mistake = r >= 0 ? frame.runs[r].output : null;
  if (mistake?.delta_correct) {
    // The example whose two δᴸ differ most in direction, among those the frame carries.
    const cosines = mistake.delta.map((wrong, e) => dot(wrong, mistake.delta_correct[e]) /
      (norm(wrong) * norm(mistake.delta_correct[e]) || 1));
    const e = cosines.indexOf(Math.min(...cosines));
    parts.push(element('p', 'lesson-note', `Where the two differ most (${exampleName(configured, e)}): the right δᴸ is ` +
      `${vector(mistake.delta_correct[e], 3)}, the mistake’s ${vector(mistake.delta[e], 3)}; cosine ` +
      `${fixed(cosines[e], 2)}, where 1 would be the same direction.`));
  }
  parts.push(table('', ['run', 'loss', REACHED],
    runs.map((info, i) => [runName(info), formatNumber(frame.runs[i].loss, 3), status(state, info.id)])));
  return parts;
}

// --- 5 and 6: outputs that stay at the average label, and why --------------------------------------------

function stuckOutputs(state) {
  const { configured, frame } = state;
  const shown = Math.min(configured.inputs.length, 4);
  const examples = [...Array(shown).keys()];
  const heading = (e) => (configured.inputs[e].length <= 4 ? `[${configured.inputs[e].join(', ')}]` : `example ${e}`);
  const labels = ['the labels y', ...examples.map((e) => vector(configured.labels[e], 0)), ''];
  const rows = runsOf(configured).map((info, r) => [runName(info),
    ...examples.map((e) => (frame.runs[r].outputs[e] ? vector(frame.runs[r].outputs[e], 2) : '–')),
    status(state, info.id)]);
  const parts = [table(`Outputs a at step ${formatStep(frame.step)}`, ['run', ...examples.map(heading), REACHED],
    [labels, ...rows])];
  const first = frame.runs[0].layers[0];
  if (frame.runs[0].layers.length > 1 && first) {
    parts.push(element('p', 'lesson-note', `First hidden layer: σ′(z) is below 0.01 (saturated) for ` +
      `${Math.round(first.saturated_fraction * 100)}% of its neurons, over these examples.`));
  }
  parts.push(causes(state));
  return parts;
}

const DRAWINGS = {
  'per-example-gradients': perExampleGradients,
  'averaged-too-early': averagedTooEarly,
  jacobian: jacobians,
  deltas,
  gradcheck,
  diagnosis: stuckOutputs,
  'stuck-outputs': stuckOutputs,
};

export function drawLessonNumbers(box, lesson, state) {
  const { configured, frame } = state;
  if (!lesson || frame.runs.length !== configured.config.runs.length) return; // a frame of the previous experiment
  box.replaceChildren(...(DRAWINGS[lesson.numbers] ?? (() => []))(state));
}
