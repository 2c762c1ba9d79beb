// View 3: per run, ‖∂C/∂W‖ of each layer over time (log scale), and a histogram of the current ∂C/∂W
// values of each layer (16 bins over [−max, max], from the frame), with its axes: the value range below, the
// tallest bin's count at the top. The histograms are redrawn a few times a second at most, and only when their
// numbers changed: they cost more than the line chart and cannot be read at 30 frames a second anyway.

import { createStepChart } from '../lib/charts.js';
import { LAYER_COLORS, NEGATIVE, POSITIVE } from '../lib/colors.js';
import { formatNumber, superscript } from '../lib/format.js';
import { createThrottle } from '../lib/throttle.js';
import { runsOf } from '../run-kinds.js';
import { runName } from './run-name.js';

export function layerName(sizes, l) {
  return `W${superscript(l + 1)} (${sizes[l]}→${sizes[l + 1]})`;
}

/** The histogram in a canvas of this CSS size (from the resize observer: reading it here would force a layout). */
function drawHistogram(canvas, histogram, width, height) {
  if (!width || !height) return; // not laid out yet: the resize observer draws it when it is
  const ratio = devicePixelRatio || 1;
  // Setting a canvas's size clears it and reallocates its memory, even to the same value: only when it changed.
  if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
  if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const counts = histogram.counts;
  const tallest = Math.max(...counts, 1);
  const barWidth = width / counts.length;
  counts.forEach((count, i) => {
    const barHeight = count === 0 ? 0 : Math.max(1.5, (count / tallest) * (height - 4));
    ctx.fillStyle = i < counts.length / 2 ? NEGATIVE : POSITIVE;
    ctx.fillRect(i * barWidth + 1, height - barHeight, barWidth - 2, barHeight);
  });
  ctx.strokeStyle = '#5b6474';
  ctx.beginPath();
  ctx.moveTo(width / 2, 0);
  ctx.lineTo(width / 2, height);
  ctx.stroke();
}

function setTick(tick, value, text) {
  tick.dataset.value = String(value);
  tick.textContent = text;
}

function axisTick(className, value, text) {
  const tick = document.createElement('span');
  tick.className = className;
  setTick(tick, value, text);
  return tick;
}

/** One layer's histogram with its axes, from the frame's numbers; nothing when they are those already shown. */
function drawCell(cell, layer) {
  const { canvas, name, low, high, count } = cell;
  const { counts, max_abs: maxAbs } = layer.histogram;
  const shown = `${maxAbs} ${counts.join(' ')} ${layer.saturated_fraction}`;
  if (cell.shown === shown) return;
  cell.shown = shown;
  cell.histogram = layer.histogram;
  drawHistogram(canvas, layer.histogram, cell.width, cell.height);
  canvas.dataset.counts = counts.join(' ');
  const range = formatNumber(maxAbs, 2);
  setTick(low, -maxAbs, `−${range}`);
  setTick(high, maxAbs, range);
  setTick(count, Math.max(...counts), String(Math.max(...counts)));
  canvas.setAttribute('aria-label', `${name}: ∂C/∂W values between −${range} and ${range}, counts ${counts.join(' ')}`);
  canvas.title = `${name}: counts per bin ${counts.join(' ')} over ±${range}; ` +
    `${Math.round(layer.saturated_fraction * 100)}% of units saturated`;
}

export function createGradientsView({ container, requestDraw = () => {} }) {
  let cards = [];
  let seen = { config: -1, frame: -1, histograms: -1 };
  const throttle = createThrottle(requestDraw);
  // Each histogram canvas's CSS size, read where layout is already done (as boundary-view.js does); a new size redraws.
  const cellOf = new WeakMap();
  const resize = new ResizeObserver((entries) => {
    for (const { target, contentRect: { width, height } } of entries) {
      const cell = cellOf.get(target);
      if (!cell || (cell.width === width && cell.height === height)) continue;
      Object.assign(cell, { width, height });
      if (cell.histogram) drawHistogram(target, cell.histogram, width, height);
    }
  });

  function build(state) {
    for (const card of cards) card.chart.destroy();
    resize.disconnect();
    container.replaceChildren();
    const sizes = state.configured.layer_sizes;
    const layers = sizes.length - 1;
    cards = runsOf(state.configured).map((run) => {
      const figure = document.createElement('figure');
      figure.className = 'mini-chart';
      const caption = document.createElement('figcaption');
      caption.append(runName(run));
      const plot = document.createElement('div');
      plot.className = 'chart';
      const histograms = document.createElement('div');
      histograms.className = 'histograms';
      const cells = Array.from({ length: layers }, (_, l) => {
        const cell = document.createElement('div');
        cell.className = 'histogram';
        const plotArea = document.createElement('div');
        plotArea.className = 'histogram-plot';
        const canvas = document.createElement('canvas');
        canvas.setAttribute('role', 'img');
        const count = axisTick('axis-count', 0, '');
        count.title = 'weights in the tallest bin';
        plotArea.append(canvas, count);
        const axis = document.createElement('div');
        axis.className = 'histogram-axis';
        const low = axisTick('axis-low', 0, '');
        const high = axisTick('axis-high', 0, '');
        axis.append(low, axisTick('axis-zero', 0, '0'), high);
        const name = layerName(sizes, l);
        const label = document.createElement('span');
        label.className = 'histogram-name';
        label.textContent = name;
        cell.append(plotArea, axis, label);
        histograms.append(cell);
        const histogramCell = { canvas, name, low, high, count, shown: '', histogram: null, width: 0, height: 0 };
        cellOf.set(canvas, histogramCell);
        resize.observe(canvas);
        return histogramCell;
      });
      const explained = document.createElement('p');
      explained.className = 'histograms-caption';
      explained.textContent = 'Per layer, now: how many weights have each ∂C/∂W, from −max to +max (top: the tallest bar’s count).';
      figure.append(caption, plot, explained, histograms);
      container.append(figure);
      const chart = createStepChart(plot, {
        height: 150,
        y: { log: true },
        syncKey: 'gradients',
        series: Array.from({ length: layers }, (_, l) => ({ label: layerName(sizes, l), stroke: LAYER_COLORS[l % LAYER_COLORS.length] })),
      });
      return { run, chart, cells };
    });
  }

  return {
    element: container, // the render loop skips it while off screen
    draw(state) {
      if (!state.configured || !state.series || !state.frame) return;
      const rebuilt = seen.config !== state.rev.config || cards.length === 0;
      if (rebuilt) build(state);
      else if (seen.frame === state.rev.frame && seen.histograms === state.rev.frame) return;
      const { series, frame } = state;
      if (rebuilt || seen.frame !== state.rev.frame) cards.forEach(({ chart }, r) => chart.setData([series.steps, ...series.gradNorms[r]]));
      seen = { ...seen, config: state.rev.config, frame: state.rev.frame };
      if (rebuilt) throttle.drawn();
      else if (throttle.tooSoon()) return; // drawn when the time is up, with the numbers of then
      seen.histograms = state.rev.frame;
      cards.forEach(({ cells }, r) => {
        frame.runs[r]?.layers.forEach((layer, l) => drawCell(cells[l], layer));
      });
    },
    canvases: () => cards.map(({ run, chart }) => ({ run, canvas: chart.canvas(), chart: chart.chart })),
  };
}
