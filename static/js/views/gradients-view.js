// View 3: per run, ‖∂C/∂W‖ of each layer over time (log scale), and a histogram of the current ∂C/∂W
// values of each layer (16 bins over [−max, max], from the frame).

import { createStepChart } from '../lib/charts.js';
import { NEGATIVE, POSITIVE } from '../lib/colors.js';
import { formatNumber, superscript } from '../lib/format.js';
import { runsOf } from '../run-kinds.js';
import { runName } from './run-name.js';

const LAYER_COLORS = ['#8fb3de', '#4f86c6', '#2a5a99', '#16365f', '#0b1c33'];

export function layerName(sizes, l) {
  return `W${superscript(l + 1)} (${sizes[l]}→${sizes[l + 1]})`;
}

function drawHistogram(canvas, histogram) {
  const ratio = devicePixelRatio || 1;
  const width = canvas.clientWidth || 120;
  const height = canvas.clientHeight || 56;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
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

export function createGradientsView({ container }) {
  let cards = [];
  let seen = { config: -1, frame: -1 };

  function build(state) {
    for (const card of cards) card.chart.destroy();
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
        const canvas = document.createElement('canvas');
        canvas.setAttribute('role', 'img');
        const label = document.createElement('span');
        cell.append(canvas, label);
        histograms.append(cell);
        return { canvas, label, name: layerName(sizes, l) };
      });
      figure.append(caption, plot, histograms);
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
    draw(state) {
      if (!state.configured || !state.series || !state.frame) return;
      if (seen.config !== state.rev.config || cards.length === 0) build(state);
      else if (seen.frame === state.rev.frame) return;
      seen = { config: state.rev.config, frame: state.rev.frame };
      const { series, frame } = state;
      cards.forEach(({ chart, cells }, r) => {
        chart.setData([series.steps, ...series.gradNorms[r]]);
        frame.runs[r]?.layers.forEach((layer, l) => {
          const { canvas, label, name } = cells[l];
          drawHistogram(canvas, layer.histogram);
          const range = `±${formatNumber(layer.histogram.max_abs, 2)}`;
          label.textContent = `${name} ${range}`;
          canvas.setAttribute('aria-label', `${name}: ∂C/∂W values between −${range.slice(1)} and ${range.slice(1)}, counts ${layer.histogram.counts.join(' ')}`);
          canvas.title = `${name}: counts per bin ${layer.histogram.counts.join(' ')} over ${range}; ` +
            `${Math.round(layer.saturated_fraction * 100)}% of units saturated`;
        });
      });
    },
    canvases: () => cards.map(({ run, chart }) => ({ title: `${run.name}: ‖∂C/∂W‖ per layer`, canvas: chart.canvas() })),
  };
}
