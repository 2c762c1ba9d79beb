// View 4: each run's decision boundary for 2-D data, as a canvas ImageData heatmap of the outputs over
// the plane (from the binary boundary frames) with the data points drawn on top (the Playground's heatmap).

import { classColor, hexToRgb } from '../lib/colors.js';
import { formatNumber, formatVector } from '../lib/format.js';
import { classOf } from '../lib/labels.js';
import { runsOf } from '../run-kinds.js';
import { runName } from './run-name.js';

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

export function createBoundaryView({ container, note }) {
  let panels = [];
  let seen = { config: -1, boundary: -1 };
  let configured = null;
  const scratch = document.createElement('canvas'); // holds the small grid before it is scaled up
  new ResizeObserver(() => panels.forEach((panel) => paint(panel, configured))).observe(container);

  function build(state) {
    container.replaceChildren();
    panels = [];
    const { configured } = state;
    if (!configured.boundary) {
      const inputs = configured.layer_sizes[0];
      note.textContent = `A decision boundary is drawn for data in the plane; this dataset has ${inputs} inputs per example.`;
      return;
    }
    const [x0, x1, y0, y1] = configured.boundary.extent;
    note.textContent = `Colour: the class each run answers at each point of the plane (paler = less sure), ` +
      `x₁ from ${formatNumber(x0, 2)} to ${formatNumber(x1, 2)}, x₂ from ${formatNumber(y0, 2)} to ${formatNumber(y1, 2)}. ` +
      `Dots: the examples, in the colour of their label.`;
    panels = runsOf(configured).map((run) => {
      const figure = document.createElement('figure');
      figure.className = 'boundary';
      const caption = document.createElement('figcaption');
      caption.append(runName(run));
      const canvas = document.createElement('canvas');
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `Decision boundary of ${run.name}`);
      figure.append(caption, canvas);
      container.append(figure);
      const panel = { run, canvas, grid: null };
      canvas.addEventListener('mousemove', (event) => describePoint(panel, event, configured));
      return panel;
    });
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

  function paint(panel, configured) {
    const { canvas, grid } = panel;
    const ratio = devicePixelRatio || 1;
    const size = canvas.clientWidth || 200;
    canvas.width = Math.round(size * ratio);
    canvas.height = Math.round(size * ratio);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = '#f4f5f8';
    ctx.fillRect(0, 0, size, size);
    if (grid) {
      scratch.width = grid.width;
      scratch.height = grid.height;
      scratch.getContext('2d').putImageData(gridImage(grid), 0, 0);
      // Grid values sit on the corners of the extent, so cells are centred on them: half a cell spills over.
      const cell = size / (grid.width - 1);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(scratch, -cell / 2, -cell / 2, size + cell, size + cell);
    }
    const [x0, x1, y0, y1] = configured.boundary.extent;
    const radius = configured.inputs.length > 100 ? 3 : 6;
    configured.inputs.forEach((input, i) => {
      const px = ((input[0] - x0) / (x1 - x0)) * size;
      const py = ((y1 - input[1]) / (y1 - y0)) * size;
      ctx.beginPath();
      ctx.arc(px, py, radius, 0, 2 * Math.PI);
      ctx.fillStyle = classColor(classOf(configured.labels[i]));
      ctx.fill();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#ffffff';
      ctx.stroke();
    });
  }

  return {
    draw(state) {
      if (!state.configured) return;
      const rebuilt = seen.config !== state.rev.config;
      if (rebuilt) build(state);
      else if (seen.boundary === state.rev.boundary) return;
      seen = { config: state.rev.config, boundary: state.rev.boundary };
      configured = state.configured;
      panels.forEach((panel, r) => {
        panel.grid = state.boundaries[r] ?? null;
        paint(panel, state.configured);
      });
    },
    canvases: () => panels.map(({ run, canvas }) => ({ title: run.name, canvas })),
  };
}
