// View 4: each run's decision boundary for 2-D data, as a canvas ImageData heatmap of the outputs over
// the plane (from the binary boundary frames) with the data points drawn on top (the Playground's heatmap).
// "discretize" colours each point by the class answered rather than by how sure (Playground's option), and any
// run's panel can be enlarged in a dialog (Escape closes it). "Show test data" adds the held-out test part as rings.

import { NEGATIVE, POSITIVE, classColor, hexToRgb, signedColor, signedPixels } from '../lib/colors.js';
import { formatNumber, formatVector } from '../lib/format.js';
import { hasTestPart } from '../lib/labels.js';
import { runsOf } from '../run-kinds.js';
import { VALUE_SCALE, drawExamples } from './boundary-dots.js';
import { runName } from './run-name.js';

const DISCRETE_STRENGTH = 0.45; // one flat colour per class, pale enough for the dots to stand out

/** The class answered at one cell: the largest output, or for one sigmoid unit, class 1 from 0.5 on. */
function answeredClass(values, cell, classes) {
  if (classes === 1) return values[cell] >= 0.5 ? 1 : 0;
  let best = 0;
  for (let c = 1; c < classes; c++) if (values[cell * classes + c] > values[cell * classes + best]) best = c;
  return best;
}

/** Each cell in the flat colour of its class, or of the sign of a regression output. */
function discreteImage(grid, regression) {
  const { width, height, classes, values } = grid;
  const image = new ImageData(width, height);
  const rgb = regression ? [hexToRgb(NEGATIVE), hexToRgb(POSITIVE)]
    : Array.from({ length: Math.max(classes, 2) }, (_, c) => hexToRgb(classColor(c)));
  for (let cell = 0; cell < width * height; cell++) {
    const color = rgb[regression ? Number(values[cell] >= 0) : answeredClass(values, cell, classes)];
    for (let channel = 0; channel < 3; channel++) {
      image.data[cell * 4 + channel] = Math.round(255 + (color[channel] - 255) * DISCRETE_STRENGTH);
    }
    image.data[cell * 4 + 3] = 255;
  }
  return image;
}

/** The grid as an image: each class's colour weighted by its share of the outputs, paler where unsure. */
function gridImage(grid) {
  const { width, height, classes, values } = grid;
  const image = new ImageData(width, height);
  const rgb = Array.from({ length: classes }, (_, c) => hexToRgb(classColor(c)));
  for (let cell = 0; cell < width * height; cell++) {
    let total = 0;
    let largest = 0;
    for (let c = 0; c < classes; c++) {
      const v = Math.max(values[cell * classes + c], 0);
      total += v;
      largest = Math.max(largest, v);
    }
    const share = (c) => (total > 0 ? Math.max(values[cell * classes + c], 0) / total : 1 / classes);
    const certainty = total > 0 ? (largest / total - 1 / classes) / (1 - 1 / classes) : 0;
    const strength = 0.12 + 0.6 * certainty;
    for (let channel = 0; channel < 3; channel++) {
      let mixed = 0;
      for (let c = 0; c < classes; c++) mixed += share(c) * rgb[c][channel];
      image.data[cell * 4 + channel] = Math.round(255 + (mixed - 255) * strength);
    }
    image.data[cell * 4 + 3] = 255;
  }
  return image;
}

// A regression run's output over the plane: indigo below zero, amber above, white at zero, full at ±VALUE_SCALE
// (the targets' range), paler than the dots so they stay visible.
const HEAT_STRENGTH = 0.8;

/** The grid of a one-output regression run as a diverging heatmap of its value. */
function valueImage({ width, height, values }) {
  return new ImageData(signedPixels(values, width * height, { span: VALUE_SCALE, strength: HEAT_STRENGTH }), width, height);
}

/** The value scale of the regression heatmap: −1, 0 and 1 under a gradient of the same colours. */
function valueLegend() {
  const legend = document.createElement('span');
  legend.className = 'value-scale';
  const bar = document.createElement('span');
  bar.className = 'value-scale-bar';
  bar.style.cssText = 'display: inline-block; width: 6em; height: 0.8em; vertical-align: middle; border: 1px solid #8a8f99;';
  bar.style.background = `linear-gradient(to right, ${signedColor(-VALUE_SCALE, VALUE_SCALE)}, #ffffff, ` +
    `${signedColor(VALUE_SCALE, VALUE_SCALE)})`;
  bar.setAttribute('aria-hidden', 'true');
  legend.append(`−${VALUE_SCALE} `, bar, ` ${VALUE_SCALE}`);
  return legend;
}

const LARGE_SIZE = 560; // the enlarged view's side, in CSS pixels (less on a small screen)


export function createBoundaryView({ container, note, discretize, showTest = document.getElementById('boundary-show-test') }) {
  let panels = [];
  let seenConfig = -1;
  let configured = null;
  const scratch = document.createElement('canvas'); // holds the small grid before it is scaled up
  // The examples drawn once per experiment, per size, pixel ratio and test part shown: "size@ratio@test" -> canvas.
  const dots = new Map();
  let large = null; // the enlarged view: { dialog, heading, canvas, panel }
  const testShown = () => Boolean(showTest?.checked && configured && hasTestPart(configured));
  function repaintAll() {
    for (const panel of panels) paint(panel);
    if (large?.panel) paintLarge();
  }
  discretize.addEventListener('change', repaintAll);
  showTest?.addEventListener('change', () => {
    if (configured?.boundary) describe();
    repaintAll();
  });
  // Sizes are read here, where layout is already done, never in the render loop (a read after its writes
  // would force a layout); a new size repaints.
  const resize = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const panel = panels.find((p) => p.canvas === entry.target);
      const size = Math.round(entry.contentRect.width) || 200;
      if (panel && panel.size !== size) {
        panel.size = size;
        paint(panel);
      }
    }
  });

  function build(state) {
    resize.disconnect();
    container.replaceChildren();
    panels = [];
    dots.clear();
    large?.dialog.close();
    configured = state.configured;
    // Shown only for an experiment with a test part; the choice stays across experiments that have one.
    if (showTest) {
      showTest.closest('label').hidden = !configured.boundary || !hasTestPart(configured);
      if (!hasTestPart(configured)) showTest.checked = false;
    }
    if (!configured.boundary) {
      const inputs = configured.layer_sizes[0];
      note.textContent = `A decision boundary is drawn for data in the plane; this dataset has ${inputs} inputs per example.`;
      return;
    }
    describe();
    panels = runsOf(configured).map((run) => {
      const figure = document.createElement('figure');
      figure.className = 'boundary';
      const caption = document.createElement('figcaption');
      caption.append(runName(run));
      const canvas = document.createElement('canvas');
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', configured.task === 'regression' ? `Output over the plane of ${run.name}`
        : `Decision boundary of ${run.name}`);
      const enlarge = document.createElement('button');
      enlarge.type = 'button';
      enlarge.className = 'enlarge';
      enlarge.textContent = 'Enlarge';
      enlarge.setAttribute('aria-label', `Enlarge the ${configured.task === 'regression' ? 'output' : 'decision boundary'} of ${run.name}`);
      figure.append(caption, canvas, enlarge);
      container.append(figure);
      const panel = { run, canvas, grid: null, size: 0 };
      enlarge.addEventListener('click', () => openLarge(panel));
      canvas.addEventListener('mousemove', (event) => describePoint(panel, event, configured));
      resize.observe(canvas);
      return panel;
    });
  }

  /** The note under the title, the views' text alternative: what the colours, dots and rings are. */
  function describe() {
    const [x0, x1, y0, y1] = configured.boundary.extent;
    const span = `x₁ from ${formatNumber(x0, 2)} to ${formatNumber(x1, 2)}, x₂ from ${formatNumber(y0, 2)} to ${formatNumber(y1, 2)}.`;
    const regression = configured.task === 'regression';
    const key = regression ? 'target' : 'label';
    const rings = testShown() ? ` Rings: the ${configured.test_inputs.length} test examples, held out of training, ` +
      `in the colour of their ${key}.` : '';
    if (regression) {
      note.textContent = `Colour: each run’s output at each point of the plane, indigo below 0, amber above, ${span} ` +
        `Dots: the training examples, in the colour of their target.${rings} Scale: `;
      note.append(valueLegend());
    } else {
      note.textContent = `Colour: the class each run answers at each point of the plane (paler = less sure), ${span} ` +
        `Dots: the training examples, in the colour of their label.${rings}`;
    }
  }

  function describePoint(panel, event, configured) {
    if (!panel.grid) return;
    const rect = panel.canvas.getBoundingClientRect();
    const [x0, x1, y0, y1] = configured.boundary.extent;
    const { width, height, classes, values } = panel.grid;
    const fx = (event.clientX - rect.left) / rect.width;
    const fy = (event.clientY - rect.top) / rect.height;
    const col = Math.min(width - 1, Math.max(0, Math.round(fx * (width - 1))));
    const row = Math.min(height - 1, Math.max(0, Math.round(fy * (height - 1))));
    const outputs = Array.from(values.subarray((row * width + col) * classes, (row * width + col + 1) * classes));
    const x = x0 + fx * (x1 - x0);
    const y = y1 - fy * (y1 - y0);
    panel.canvas.title = `(${formatNumber(x, 2)}, ${formatNumber(y, 2)}): a = ${formatVector(outputs)}`;
  }

  /** The examples as dots (and rings, when shown) on a transparent canvas of this size, drawn once and reused by
   * every panel. */
  function dotsOfSize(size, ratio) {
    const test = testShown();
    const key = `${size}@${ratio}@${test}`;
    if (dots.has(key)) return dots.get(key);
    if (dots.size > 3) dots.clear(); // the panels' size and the large one's, with and without rings: older ones are gone
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(size * ratio);
    canvas.height = Math.round(size * ratio);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    drawExamples(ctx, configured, size, { test });
    dots.set(key, canvas);
    return canvas;
  }

  function paint(panel) {
    paintCanvas(panel.canvas, panel.grid, panel.size);
  }

  /** The enlarged view of one run's panel, in a modal dialog made the first time (Escape closes it). */
  function openLarge(panel) {
    if (!large) {
      const dialog = document.createElement('dialog');
      dialog.className = 'boundary-large';
      dialog.setAttribute('aria-labelledby', 'boundary-large-title');
      const heading = document.createElement('h2');
      heading.id = 'boundary-large-title';
      const canvas = document.createElement('canvas');
      canvas.setAttribute('role', 'img');
      const close = document.createElement('button');
      close.type = 'button';
      close.textContent = 'Close';
      close.addEventListener('click', () => dialog.close());
      dialog.append(heading, canvas, close);
      dialog.addEventListener('close', () => { if (large) large.panel = null; });
      document.body.append(dialog);
      large = { dialog, heading, canvas, panel: null };
    }
    large.panel = panel;
    large.heading.textContent = `${configured.task === 'regression' ? 'Output' : 'Decision boundary'} of ${panel.run.name}`;
    large.canvas.setAttribute('aria-label', large.heading.textContent);
    const size = Math.min(LARGE_SIZE, Math.floor(Math.min(innerWidth, innerHeight) * 0.8));
    large.canvas.style.width = `${size}px`;
    large.canvas.style.height = `${size}px`;
    large.size = size;
    large.dialog.showModal();
    paintLarge();
  }

  function paintLarge() {
    paintCanvas(large.canvas, large.panel.grid, large.size);
  }

  function paintCanvas(canvas, grid, size) {
    if (!size || !configured?.boundary) return; // not laid out yet: the resize observer paints it when it is
    const ratio = devicePixelRatio || 1;
    const pixels = Math.round(size * ratio);
    if (canvas.width !== pixels || canvas.height !== pixels) { // setting a size, even the same, clears the canvas
      canvas.width = pixels;
      canvas.height = pixels;
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = '#f4f5f8';
    ctx.fillRect(0, 0, size, size);
    if (grid) {
      scratch.width = grid.width;
      scratch.height = grid.height;
      const regression = configured.task === 'regression';
      const image = discretize.checked ? discreteImage(grid, regression) : regression ? valueImage(grid) : gridImage(grid);
      scratch.getContext('2d').putImageData(image, 0, 0);
      // Grid values sit on the corners of the extent, so cells are centred on them: half a cell spills over.
      const cell = size / (grid.width - 1);
      ctx.imageSmoothingEnabled = !discretize.checked; // discrete cells stay flat: one colour per class
      ctx.drawImage(scratch, -cell / 2, -cell / 2, size + cell, size + cell);
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(dotsOfSize(size, ratio), 0, 0);
  }

  return {
    element: container, // the render loop skips it while off screen
    draw(state) {
      if (!state.configured) return;
      if (seenConfig !== state.rev.config) build(state);
      seenConfig = state.rev.config;
      // Only the panels whose grid is new: boundary frames come one run at a time.
      panels.forEach((panel, r) => {
        const grid = state.boundaries[r] ?? null;
        if (grid === panel.grid) return;
        panel.grid = grid;
        paint(panel);
        if (large?.panel === panel) paintLarge();
      });
    },
    canvases: () => panels.map(({ run, canvas }) => ({ run, canvas })),
  };
}
