// View 5: the network drawn as units and links (SVG). Some frames carry the weights (small networks): every link
// is then drawn by its weight, colour = sign, width = size, with ∂C/∂w on hover; a link chosen by click or keys
// (a roving tab stop: arrows move between links) is read and edited in the weight editor. Without weights only
// the output layer's links carry numbers, its gradients.

import { NEGATIVE, NEUTRAL, POSITIVE, classColor } from '../lib/colors.js';
import { formatNumber } from '../lib/format.js';
import { meanGradient } from '../lib/gradients.js';
import { runsOf } from '../run-kinds.js';
import { fillRunMenu } from './run-menu.js';
import { createWeightEditor } from './weight-editor.js';

const SVG = 'http://www.w3.org/2000/svg';
const MAX_UNITS_SHOWN = 10;
const HEIGHT = 270;
const UNITS_BOTTOM = HEIGHT - 44; // below: two lines of layer labels
const LABEL_Y = [HEIGHT - 8, HEIGHT - 24]; // baselines of the bottom line and the one above it
const LABEL_GAP = 6;

function svg(tag, attributes = {}, parent) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  parent?.append(element);
  return element;
}

/**
 * The line (0 = bottom, 1 = above) of each layer label, given their [left, right] spans from left to right: each
 * goes on the first line where it clears the labels already there; null when two lines are not enough.
 */
export function labelLines(spans, gap = LABEL_GAP) {
  const rights = [-Infinity, -Infinity];
  const lines = [];
  for (const [left, right] of spans) {
    const line = rights.findIndex((end) => left >= end + gap);
    if (line < 0) return null;
    lines.push(line);
    rights[line] = Math.max(rights[line], right);
  }
  return lines;
}

/** A layer label's words, longest first: the next are tried when the labels cannot be placed apart. */
function labelForms(sizes, l, hiddenActivation, outputActivation) {
  const n = sizes[l];
  if (l === 0) return [`${n} inputs`, `${n} inputs`, `${n} in`];
  if (l === sizes.length - 1) return [`${n} ${outputActivation ? `${outputActivation} ` : ''}outputs`, `${n} outputs`, `${n} out`];
  return [`${n} ${hiddenActivation}`, `${n}`, `${n}`];
}

/** Words and lines for the layer labels so none overlaps, whatever the width and the number of layers. */
function placeLabels(labels, sizes, hiddenActivation, outputActivation) {
  const forms = labels.map((_, l) => labelForms(sizes, l, hiddenActivation, outputActivation));
  for (let form = 0; form < 3; form++) {
    const spans = labels.map((label, l) => {
      label.textContent = forms[l][form];
      const width = label.getComputedTextLength();
      const x = Number(label.getAttribute('x'));
      const anchor = label.getAttribute('text-anchor');
      return anchor === 'start' ? [x, x + width] : anchor === 'end' ? [x - width, x] : [x - width / 2, x + width / 2];
    });
    const lines = labelLines(spans) ?? (form === 2 ? labels.map((_, l) => l % 2) : null);
    if (!lines) continue;
    labels.forEach((label, l) => label.setAttribute('y', LABEL_Y[lines[l]]));
    return;
  }
}

function withTitle(element, text) {
  let title = element.querySelector('title');
  if (!title) title = svg('title', {}, element);
  title.textContent = text;
}

/** A small legend: what a link's colour and width say. */
function weightLegend(largest) {
  const legend = document.createElement('p');
  legend.className = 'weight-legend';
  const swatch = (color, text) => {
    const mark = document.createElement('span');
    mark.className = 'weight-swatch';
    mark.style.background = color;
    mark.setAttribute('aria-hidden', 'true');
    legend.append(mark, ` ${text}  `);
  };
  swatch(NEGATIVE, 'w < 0');
  swatch(POSITIVE, 'w > 0');
  legend.append(`width ∝ |w|, the widest ${formatNumber(largest, 3)}`);
  return legend;
}

/** Whether the network is past hello.weights' bound, so frames never carry its weights. */
function tooManyParameters({ configured, hello }) {
  const sizes = configured.layer_sizes;
  const parameters = sizes.slice(1).reduce((sum, n, l) => sum + n * (sizes[l] + 1), 0);
  return parameters > (hello.weights?.max_parameters ?? Infinity);
}

const NEXT_KEYS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

export function createNetworkView({ container, runSelect, note, editorBox, send, onWeightSent, requestDraw }) {
  let drawing = null;
  let seen = { config: -1, frame: -1, run: '', weights: null };
  let chosen = null; // { l, j, k } of the chosen link, kept across frames and runs
  let latest = null; // the state last drawn
  runSelect.addEventListener('change', requestDraw);
  const editor = createWeightEditor({
    container: editorBox,
    onSet(message) {
      const sent = send(message);
      if (sent) onWeightSent();
      return sent;
    },
  });

  function shownUnits(n) {
    return n <= MAX_UNITS_SHOWN ? n : MAX_UNITS_SHOWN - 1;
  }

  function build(state) {
    const { configured, hello } = state;
    fillRunMenu(runSelect, runsOf(configured));

    const sizes = configured.layer_sizes;
    const width = Math.max(container.clientWidth, 280);
    const root = svg('svg', { viewBox: `0 0 ${width} ${HEIGHT}`, width: '100%', height: HEIGHT, role: 'group' });
    const hiddenActivation = configured.config.network.hidden_activation;
    root.setAttribute('aria-label', `A network with layers of ${sizes.join(', ')} units` +
      (sizes.length > 2 ? `, ${hiddenActivation} in the hidden layers` : ''));
    // Input features (dataset.features) are named beside their units, which moves the first column right.
    const featureLabels = configured.config.dataset.features?.map((id) => hello.features.find((f) => f.id === id)?.label ?? id);
    const left = featureLabels ? 64 : 40;
    const columnX = sizes.map((_, l) => left + (l * (width - left - 40)) / (sizes.length - 1));
    const unitY = sizes.map((n) => {
      const shown = shownUnits(n);
      const slots = n > shown ? shown + 1 : shown;
      const gap = Math.min(24, (UNITS_BOTTOM - 30) / Math.max(slots - 1, 1));
      const top = UNITS_BOTTOM / 2 - (gap * (slots - 1)) / 2;
      return Array.from({ length: shown }, (_, i) => top + i * gap);
    });
    const linkGroup = svg('g', {}, root);
    const unitGroup = svg('g', {}, root);
    const last = sizes.length - 2;
    const outputLinks = [];
    const links = [];
    for (let l = 0; l < sizes.length - 1; l++) {
      for (const [j, y1] of unitY[l + 1].entries()) {
        for (const [k, y0] of unitY[l].entries()) {
          const line = svg('line', { x1: columnX[l], y1: y0, x2: columnX[l + 1], y2: y1, class: 'link', role: 'button',
            tabindex: -1, 'data-layer': l, 'data-j': j, 'data-k': k, 'aria-label': `W[${l}][${j}][${k}]` }, linkGroup);
          links.push({ line, l, j, k });
          if (l === last) outputLinks.push({ line, j, k });
        }
      }
    }
    root.addEventListener('keydown', (event) => onKey(event, links));
    root.addEventListener('focusin', (event) => choose(links.find((link) => link.line === event.target)));
    root.addEventListener('click', (event) => links.find((link) => link.line === event.target)?.line.focus());
    const outputUnits = [];
    const labels = [];
    const outputActivation = (kind) => hello.run_kinds[kind]?.output_activation ?? '';
    sizes.forEach((n, l) => {
      unitY[l].forEach((y, i) => {
        const circle = svg('circle', { cx: columnX[l], cy: y, r: 9, class: 'unit' }, unitGroup);
        if (l === 0 && featureLabels) {
          withTitle(circle, `input ${i + 1}: ${featureLabels[i]}`);
          svg('text', { x: columnX[0] - 13, y: y + 4, class: 'input-label', 'text-anchor': 'end' }, unitGroup).textContent = featureLabels[i];
        } else if (l === 0) withTitle(circle, `input x${i + 1}`);
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
      labels.push(svg('text', { x, y: LABEL_Y[0], class: 'layer-label', 'text-anchor': anchor }, root));
    });
    container.replaceChildren(root); // in the page before placeLabels measures the words
    const layOut = (activation) => placeLabels(labels, sizes, hiddenActivation, activation);
    layOut('');
    drawing = { links, outputLinks, outputUnits, outputActivation, layOut, shownActivation: '', legend: null };
    if (!links.some((link) => sameLink(link, chosen))) chosen = null;
    rove(links);
  }

  const sameLink = (link, other) => Boolean(other) && link.l === other.l && link.j === other.j && link.k === other.k;

  /** One tab stop over all the links: the chosen one, else the first. */
  function rove(links) {
    const stop = links.find((link) => sameLink(link, chosen)) ?? links[0];
    for (const link of links) link.line.setAttribute('tabindex', link === stop ? '0' : '-1');
  }

  function onKey(event, links) {
    const i = links.findIndex((link) => link.line === event.target);
    if (i < 0) return;
    let next = null;
    if (event.key in NEXT_KEYS) next = links[(i + NEXT_KEYS[event.key] + links.length) % links.length];
    else if (event.key === 'Home') next = links[0];
    else if (event.key === 'End') next = links.at(-1);
    else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      if (!editorBox.querySelector('form').hidden) editor.input.focus();
      return;
    }
    if (!next) return;
    event.preventDefault();
    next.line.focus(); // focusin chooses it
  }

  function choose(link) {
    if (!link) return;
    chosen = { l: link.l, j: link.j, k: link.k };
    rove(drawing.links);
    for (const link of drawing.links) link.line.classList.toggle('chosen', sameLink(link, chosen));
    if (latest) showChosen(latest);
  }

  /** The chosen link in the editor, with the run's latest weights; else why there is none. */
  function showChosen(state) {
    const weights = state.weights[runSelect.value];
    if (!weights) return editor.showNone(tooManyParameters(state) ? 'not-streamed' : 'waiting');
    if (!chosen) return editor.showNone('none-chosen');
    const { l, j, k } = chosen;
    editor.show({ run: runSelect.value, layer: l, j, k, value: weights.W[l][j][k], gradient: weights.grad_W[l][j][k] },
      state.hello.weights?.max_abs);
  }

  /** Every link by its weight: colour = sign, width = size; ∂C/∂w beside it on hover. */
  function drawWeights(weights) {
    const largest = Math.max(...weights.W.flat(2).map(Math.abs), 1e-300);
    for (const { line, l, j, k } of drawing.links) {
      const w = weights.W[l][j][k];
      line.style.stroke = w < 0 ? NEGATIVE : POSITIVE;
      line.style.strokeWidth = (0.6 + 4.4 * Math.abs(w) / largest).toFixed(2);
      line.dataset.weight = String(w);
      line.setAttribute('class', `link weight-link${sameLink({ l, j, k }, chosen) ? ' chosen' : ''}`);
      line.setAttribute('aria-label', `W[${l}][${j}][${k}] = ${formatNumber(w, 4)}`);
      withTitle(line, `w from unit ${k + 1} of layer ${l} to unit ${j + 1} of layer ${l + 1}: ${formatNumber(w, 4)}; ` +
        `∂C/∂w = ${formatNumber(weights.grad_W[l][j][k], 4)}`);
    }
    const legend = weightLegend(largest);
    if (drawing.legend) drawing.legend.replaceWith(legend);
    else container.append(legend);
    drawing.legend = legend;
  }

  function update(state) {
    const { frame, configured } = state;
    const r = configured.config.runs.findIndex((run) => run.id === runSelect.value);
    const run = frame?.runs[r];
    if (!run) return;
    latest = state;
    const weights = state.weights[run.id];
    if (weights && weights !== seen.weights) drawWeights(weights);
    showChosen(state);
    seen.weights = weights;
    const { outputLinks, outputUnits, outputActivation } = drawing;
    if (drawing.shownActivation !== outputActivation(run.kind)) {
      drawing.shownActivation = outputActivation(run.kind);
      drawing.layOut(drawing.shownActivation);
    }
    const perExample = run.output.per_example_grad_W;
    const n = configured.labels.length;
    if (perExample && !weights) {
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
    const regression = configured.task === 'regression';
    for (const { circle, i } of outputUnits) {
      const value = a[i] ?? 0;
      // A regression output is a number, not a class: a neutral fill, and a ≥ 0 value's opacity would mean nothing.
      circle.style.fill = regression ? NEUTRAL : classColor(i);
      circle.style.fillOpacity = regression ? '0.35' : Math.min(Math.max(value, 0.05), 1).toFixed(2);
      withTitle(circle, `output ${i + 1} (${configured.class_names[i] ?? i}) for example ${example}: a = ${formatNumber(value, 4)}, label y = ${y[i]}`);
    }
    const unitsNote = regression ? '' : `Output units: filled by a for example ${example}. `;
    if (weights) {
      note.textContent = `Links: each weight w, indigo below 0 and amber above, thicker = larger (as of step ${weights.step}; ` +
        `hover for ∂C/∂w). ${unitsNote}Choose a link to read and edit its weight.`;
    } else {
      const why = tooManyParameters(state) ? `This network has more than ${state.hello.weights.max_parameters} ` +
        'parameters, so its weights are not streamed' : 'The weights come with the next frame';
      note.textContent = perExample
        ? `Output-layer links: ∂C/∂w, indigo below 0 and amber above, thicker = larger. ${unitsNote}` +
          `${why}: the other links are drawn thin and grey.`
        : `The output layer is too large to stream its gradients. ${why}.`;
    }
  }

  return {
    element: container, // the render loop skips it while off screen
    draw(state) {
      if (!state.configured || !state.hello) return;
      if (seen.config !== state.rev.config || !drawing) {
        build(state);
        seen.weights = null;
      } else if (seen.frame === state.rev.frame && seen.run === runSelect.value) return;
      if (seen.run !== runSelect.value) seen.weights = null; // another run's weights
      seen = { ...seen, config: state.rev.config, frame: state.rev.frame, run: runSelect.value };
      update(state);
    },
    canvases: () => [],
  };
}
