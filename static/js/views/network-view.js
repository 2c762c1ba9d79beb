// View 5: the network drawn as units and links (SVG). Frames carry gradients but not weights, so only the
// output layer's links carry numbers: colour = sign of ∂C/∂w, width = its size (hover for the value).

import { NEGATIVE, POSITIVE, classColor } from '../lib/colors.js';
import { formatNumber } from '../lib/format.js';
import { meanGradient } from '../lib/gradients.js';
import { runsOf } from '../run-kinds.js';

const SVG = 'http://www.w3.org/2000/svg';
const MAX_UNITS_SHOWN = 10;
const HEIGHT = 270;

function svg(tag, attributes = {}, parent) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  parent?.append(element);
  return element;
}

function withTitle(element, text) {
  let title = element.querySelector('title');
  if (!title) title = svg('title', {}, element);
  title.textContent = text;
}

export function createNetworkView({ container, runSelect, note, requestDraw }) {
  let drawing = null;
  let seen = { config: -1, frame: -1, run: '' };
  runSelect.addEventListener('change', requestDraw);

  function shownUnits(n) {
    return n <= MAX_UNITS_SHOWN ? n : MAX_UNITS_SHOWN - 1;
  }

  function build(state) {
    const { configured, hello } = state;
    const runs = runsOf(configured);
    const previous = runSelect.value;
    runSelect.replaceChildren(...runs.map((run) => new Option(run.name, run.id)));
    if (runs.some((run) => run.id === previous)) runSelect.value = previous;

    const sizes = configured.layer_sizes;
    const width = Math.max(container.clientWidth, 280);
    const root = svg('svg', { viewBox: `0 0 ${width} ${HEIGHT}`, width: '100%', height: HEIGHT, role: 'img' });
    root.setAttribute('aria-label', `A network with layers of ${sizes.join(', ')} units`);
    const columnX = sizes.map((_, l) => 40 + (l * (width - 80)) / (sizes.length - 1));
    const unitY = sizes.map((n) => {
      const shown = shownUnits(n);
      const slots = n > shown ? shown + 1 : shown;
      const gap = Math.min(24, (HEIGHT - 60) / Math.max(slots - 1, 1));
      const top = (HEIGHT - 30) / 2 - (gap * (slots - 1)) / 2;
      return Array.from({ length: shown }, (_, i) => top + i * gap);
    });
    const linkGroup = svg('g', {}, root);
    const unitGroup = svg('g', {}, root);
    const last = sizes.length - 2;
    const outputLinks = [];
    for (let l = 0; l < sizes.length - 1; l++) {
      for (const [j, y1] of unitY[l + 1].entries()) {
        for (const [k, y0] of unitY[l].entries()) {
          const line = svg('line', { x1: columnX[l], y1: y0, x2: columnX[l + 1], y2: y1, class: 'link' }, linkGroup);
          if (l === last) outputLinks.push({ line, j, k });
        }
      }
    }
    const outputUnits = [];
    let outputLabel = null;
    const outputActivation = (kind) => hello.run_kinds[kind]?.output_activation ?? '';
    sizes.forEach((n, l) => {
      unitY[l].forEach((y, i) => {
        const circle = svg('circle', { cx: columnX[l], cy: y, r: 9, class: 'unit' }, unitGroup);
        if (l === 0) withTitle(circle, `input x${i + 1}`);
        else if (l < sizes.length - 1) withTitle(circle, `hidden layer ${l}, unit ${i + 1}`);
        else outputUnits.push({ circle, i });
      });
      if (n > shownUnits(n)) {
        const y = unitY[l].at(-1) + 22;
        svg('text', { x: columnX[l], y: y + 4, class: 'more' }, unitGroup).textContent = `+${n - shownUnits(n)}`;
      }
      // First and last labels hug the edges, so long ones ("2 softmax outputs") are not cut off.
      const anchor = l === 0 ? 'start' : l === sizes.length - 1 ? 'end' : 'middle';
      const x = l === 0 ? 8 : l === sizes.length - 1 ? width - 8 : columnX[l];
      const label = svg('text', { x, y: HEIGHT - 8, class: 'layer-label', 'text-anchor': anchor }, root);
      label.textContent = l === 0 ? `${n} inputs` : l === sizes.length - 1 ? `${n} outputs` : `${n} ${configured.config.network.hidden_activation}`;
      if (l === sizes.length - 1) outputLabel = label;
    });
    container.replaceChildren(root);
    drawing = { outputLinks, outputUnits, outputLabel, outputActivation };
  }

  function update(state) {
    const { frame, configured } = state;
    const r = configured.config.runs.findIndex((run) => run.id === runSelect.value);
    const run = frame?.runs[r];
    if (!run) return;
    const { outputLinks, outputUnits, outputLabel, outputActivation } = drawing;
    outputLabel.textContent = `${configured.layer_sizes.at(-1)} ${outputActivation(run.kind)} outputs`;
    const perExample = run.output.per_example_grad_W;
    const n = configured.labels.length;
    if (perExample) {
      const gradient = meanGradient(perExample);
      const largest = Math.max(...gradient.flat().map(Math.abs), 1e-300);
      const over = perExample.length === n ? `the mean over the ${n} examples` : `the mean over the first ${perExample.length} of ${n} examples`;
      for (const { line, j, k } of outputLinks) {
        const g = gradient[j][k];
        // Inline style, since the stylesheet's colour for links would win over SVG attributes.
        line.style.stroke = g < 0 ? NEGATIVE : POSITIVE;
        line.style.strokeWidth = (0.5 + 4 * Math.abs(g) / largest).toFixed(2);
        line.setAttribute('class', 'link output-link');
        withTitle(line, `∂C/∂w from hidden unit ${k + 1} to output ${j + 1}: ${formatNumber(g, 4)} (${over})`);
      }
    }
    const example = run.output.example;
    const a = run.outputs[example] ?? [];
    const y = configured.labels[example] ?? [];
    for (const { circle, i } of outputUnits) {
      const value = a[i] ?? 0;
      circle.style.fill = classColor(i);
      circle.style.fillOpacity = Math.min(Math.max(value, 0.05), 1).toFixed(2);
      withTitle(circle, `output ${i + 1} (${configured.class_names[i] ?? i}) for example ${example}: a = ${formatNumber(value, 4)}, label y = ${y[i]}`);
    }
    note.textContent = perExample
      ? `Output-layer links: ∂C/∂w, blue below 0 and orange above, thicker = larger. Output units: filled by a for example ${example}. ` +
        'The weights themselves are not streamed, so the other links are drawn thin and grey.'
      : 'The output layer is too large to stream its gradients; the weights are not streamed either.';
  }

  return {
    draw(state) {
      if (!state.configured || !state.hello) return;
      if (seen.config !== state.rev.config || !drawing) build(state);
      else if (seen.frame === state.rev.frame && seen.run === runSelect.value) return;
      seen = { config: state.rev.config, frame: state.rev.frame, run: runSelect.value };
      update(state);
    },
    canvases: () => [],
  };
}
