// The math panel's code view: for one run, the NumPy lines that compute each equation (hello.code, the very lines
// of the exported script), a mistake's lines marked ✗ beside the right ones, and the live numbers beside them
// (code-numbers.js).

import { element } from '../../lib/dom.js';
import { runsOf } from '../../run-kinds.js';
import { codeNumbers } from './code-numbers.js';

const EQUATIONS = [
  ['forward', 'Forward: a hidden layer'],
  ['output', 'The output layer'],
  ['cost', 'The cost'],
  ['BP1', 'BP1: δᴸ, the output layer’s error'],
  ['BP2', 'BP2: δ of a hidden layer, from the layer after it'],
  ['BP3', 'BP3: ∂C/∂b'],
  ['BP4', 'BP4: ∂C/∂w'],
  ['update', 'The update'],
];
const HIDDEN_ONLY = ['forward', 'BP2']; // equations of the hidden layers

/** Each equation's lines for a run of `kind` in this experiment's network and optimizer. */
export function codeLines(code, kindInfo, kind, config) {
  const layers = code.layers[config.network.hidden_activation];
  const backprop = code.backprop[kind] ?? {};
  const optimizer = config.runs.find((run) => run.kind === kind)?.optimizer?.name ?? config.optimizer.name;
  return {
    forward: layers?.forward ?? [],
    output: code.outputs[kindInfo.output_activation] ?? [],
    cost: code.costs[kindInfo.loss] ?? [],
    BP1: backprop.BP1 ?? [],
    BP2: [...(layers?.prime ?? []), ...(backprop.BP2 ?? [])],
    BP3: backprop.BP3 ?? [],
    BP4: [...(backprop.BP4 ?? []), ...(code.regularization?.[config.regularization] ?? [])], // + ∂Ω/∂w
    update: code.updates[optimizer] ?? [],
  };
}

function codeBlock(lines) {
  const hasMistake = lines.some((line) => line.mistake);
  const code = element('code');
  lines.forEach((line, i) => {
    const row = element('span', line.mistake ? 'code-line mistake' : 'code-line');
    // Where a mistake is shown, every line says whether it is the mistake (✗) or the right one (✓).
    const mark = element('span', 'code-mark', hasMistake && line.code ? (line.mistake ? '✗ ' : '✓ ') : '');
    row.append(mark, line.code);
    if (line.mistake) row.dataset.mistake = 'true';
    code.append(row);
    if (i < lines.length - 1) code.append('\n');
  });
  const pre = element('pre', 'code-block');
  pre.tabIndex = 0; // a long line scrolls sideways: the keyboard can scroll it too
  pre.append(code);
  return pre;
}

/** The view for the configured runs: `element` to place, `draw(state)` for the latest frame's numbers. */
export function createCodeView(state) {
  const view = element('section', 'code-view');
  const head = element('div', 'section-head');
  const select = element('select');
  select.id = 'code-run';
  select.setAttribute('aria-label', 'Run whose code is shown');
  const runs = runsOf(state.configured);
  for (const run of runs) select.append(new Option(run.name, run.id));
  head.append(element('h3', '', 'The code of each equation'), select);
  const note = element('p', 'card-note',
    'The lines of the script “Download as Python” writes, in Nielsen’s conventions: weights[l] has shape ' +
    '(n_out, n_in) and each example is a column, so here, for one example, n = 1. Beside them, the selected ' +
    'example’s numbers.');
  const body = element('div', 'code-equations');
  view.append(head, note, body);
  let numberBoxes = {};

  function build() {
    const run = runs.find((item) => item.id === select.value) ?? runs[0];
    const { configured, hello } = state;
    const lines = codeLines(hello.code, hello.run_kinds[run.kind], run.kind, configured.config);
    const hidden = configured.layer_sizes.length > 2;
    numberBoxes = {};
    body.replaceChildren(...EQUATIONS.filter(([name]) => hidden || !HIDDEN_ONLY.includes(name)).map(([name, title]) => {
      const row = element('div', 'code-equation');
      row.dataset.equation = name;
      const numbers = element('div', 'code-numbers');
      numberBoxes[name] = numbers;
      const code = element('div', 'code-lines');
      code.append(element('h4', '', title), codeBlock(lines[name]));
      row.append(code, numbers);
      return row;
    }));
  }

  function draw(current) {
    state = current;
    const r = Math.max(runs.findIndex((item) => item.id === select.value), 0);
    const numbers = codeNumbers(current, r);
    for (const [name, box] of Object.entries(numberBoxes)) {
      box.replaceChildren(...numbers[name].map((text) => element('div', 'code-number', text)));
    }
  }

  select.addEventListener('change', () => {
    build();
    draw(state);
  });
  build();
  return { element: view, draw };
}
