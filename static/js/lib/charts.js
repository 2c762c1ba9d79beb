// uPlot charts over training steps, sized to their container and resized with it.
//
// Log scales are drawn as log10 of the values on a linear axis labelled in powers of ten: uPlot's own log
// axis cannot place ticks below 1e-6 (a saturated layer's gradient norm is 1e-40), and its splits then loop.

import uPlot from '../../../vendor/uplot/uPlot.esm.js';
import { formatNumber, formatStep, superscript } from './format.js';

const AXIS = { stroke: '#5b6474', grid: { stroke: '#eceef3', width: 1 }, ticks: { stroke: '#d9dce3', width: 1 } };
function powerOfTen(exponent) {
  return `10${superscript(exponent)}`;
}

/** Whole decades, at most about six of them, between min and max (both log10 values). */
function decadeSplits(u, axisIndex, min, max) {
  const every = Math.max(1, Math.ceil((max - min) / 6));
  const splits = [];
  for (let k = Math.ceil(min / every) * every; k <= max; k += every) splits.push(k);
  return splits;
}

function decadeRange(u, min, max) {
  if (min === null || max === null) return [-1, 0];
  const low = Math.floor(min);
  const high = Math.ceil(max);
  return low === high ? [low - 1, high + 1] : [low, high];
}

/** Tick spacings for the step axis: whole steps only (1, 2, 5, 10, 20, 50, …), never 0.5 between two steps. */
export const STEP_INCREMENTS = Array.from({ length: 10 }, (_, exp) => [1, 2, 5].map((m) => m * 10 ** exp)).flat();

const log10OrNull = (v) => (v !== null && v !== undefined && v > 0 ? Math.log10(v) : null);

/**
 * A chart whose x axis is the training step.
 * series: [{label, stroke, dash, width}], y: {log: bool, range: [min, max]}, syncKey: charts sharing a cursor,
 * plugins: uPlot plugins (e.g. label lines), spanGaps: draw lines over missing values (a step only some series have).
 */
export function createStepChart(container, {
  series, height = 220, y = {}, legend = true, syncKey, yLabel, plugins = [], spanGaps = false,
}) {
  let marks = []; // [{step, value, element}]: elements over the plot, placed at (step, value) on every redraw
  const place = (u) => {
    for (const { step, value, element } of marks) {
      const yValue = y.log ? log10OrNull(value) : value;
      const left = u.valToPos(step, 'x');
      const top = yValue === null ? NaN : u.valToPos(yValue, 'y');
      element.hidden = !(Number.isFinite(left) && Number.isFinite(top));
      element.style.left = `${left}px`;
      element.style.top = `${top}px`;
    }
  };
  const width = Math.max(container.clientWidth, 200);
  const yScale = y.log ? { range: decadeRange } : y.range ? { auto: false, range: y.range } : {};
  const yAxis = y.log
    ? { splits: decadeSplits, values: (u, ticks) => ticks.map(powerOfTen) }
    : { values: (u, ticks) => ticks.map((t) => formatNumber(t, 2)) };
  const showValue = y.log ? (v) => (v === null ? '–' : formatNumber(10 ** v, 4)) : (v) => formatNumber(v, 4);
  const options = {
    width,
    height,
    scales: { x: { time: false }, y: yScale },
    axes: [
      { ...AXIS, label: 'step', labelSize: 20, incrs: STEP_INCREMENTS, values: (u, ticks) => ticks.map(formatStep) },
      { ...AXIS, label: yLabel, labelSize: yLabel ? 20 : 0, size: 52, ...yAxis },
    ],
    series: [
      { label: 'step', value: (u, v) => (v === null || v === undefined ? '–' : v.toLocaleString('en-US')) },
      ...series.map((s) => ({
        label: s.label,
        stroke: s.stroke,
        width: s.width ?? 2,
        dash: s.dash,
        points: { size: 5, show: (u) => u.data[0].length < 3 }, // a lone point at step 0 has no line to show it
        spanGaps,
        value: (u, v) => showValue(v),
      })),
    ],
    legend: { show: legend, live: true },
    plugins: [...plugins, { hooks: { draw: place } }],
    cursor: { drag: { x: false, y: false }, ...(syncKey ? { sync: { key: syncKey } } : {}) },
  };
  const chart = new uPlot(options, [[], ...series.map(() => [])], container);
  const resize = new ResizeObserver(() => {
    const newWidth = Math.max(container.clientWidth, 200);
    if (newWidth !== chart.width) chart.setSize({ width: newWidth, height });
  });
  resize.observe(container);
  return {
    chart,
    canvas: () => chart.ctx.canvas,
    /** data: [steps, ...one array of values per series], values as they are (log10 is taken here). */
    setData([steps, ...values]) {
      chart.setData([steps, ...(y.log ? values.map((v) => v.map(log10OrNull)) : values)]);
      // While nobody hovers, the legend shows the latest values rather than dashes.
      if (!(chart.cursor.left >= 0) && steps.length) chart.setLegend({ idx: steps.length - 1 });
    },
    /** Put `element`s over the plot at (step, value) each, replacing the marks there were. */
    setMarks(next) {
      for (const { element } of marks) element.remove();
      marks = next;
      for (const { element } of marks) chart.over.append(element);
      place(chart);
    },
    destroy() {
      resize.disconnect();
      chart.destroy();
    },
  };
}
