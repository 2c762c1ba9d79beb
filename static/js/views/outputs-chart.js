// View 2: each run's outputs per example over time, with the labels as dashed lines,
// so a run stuck at [0.5, 0.5] shows as lines meeting in the middle, far from both labels.

import { createStepChart } from '../lib/charts.js';
import { classColor, signedColor } from '../lib/colors.js';
import { labelLinesPlugin } from '../lib/label-lines.js';
import { runsOf } from '../run-kinds.js';
import { runName } from './run-name.js';
import { formatNumber, formatStep } from '../lib/format.js';
import { classOf } from '../lib/labels.js';

/** A regression target's line colour: its sign's hue, never paler than 40 %, so a target near 0 stays visible. */
const targetColor = (target) => signedColor(Math.sign(target || 1) * Math.max(Math.abs(target), 0.4), 1);

function describe(configured, examples) {
  const classes = configured.class_names;
  const n = configured.labels.length;
  const which = examples.length < n ? `${examples.length} of the ${n} examples` : 'each example';
  if (configured.task === 'regression') {
    return `The output a for ${which}, in the colour of its target (indigo below 0, amber above). ` +
      'Dashed: each target, where its example’s line should end.';
  }
  if (classes.length === 2) {
    return `Output unit 0 (a₀, “how much ${classes[0]}”) for ${which}. Dashed: the labels, 1 for ${classes[0]} and 0 for ${classes[1]}. ` +
      'Lines meeting at 0.5 are the [0.5, 0.5] plateau.';
  }
  return `The output unit of each example’s own class for ${which}; its label is 1 (dashed).`;
}

export function createOutputsChart({ container, note }) {
  let charts = [];
  let seen = { config: -1, frame: -1, events: -1 };

  function build(state) {
    for (const entry of charts) entry.chart.destroy();
    container.replaceChildren();
    const { configured, series } = state;
    const labels = configured.labels;
    const twoClasses = configured.class_names.length === 2;
    const regression = configured.task === 'regression';
    const lines = regression ? series.examples.map((e) => ({ value: labels[e][0], color: targetColor(labels[e][0]) }))
      : twoClasses ? [{ value: 1, color: classColor(0) }, { value: 0, color: classColor(1) }]
        : [{ value: 1, color: '#5b6474' }];
    note.textContent = describe(configured, series.examples);
    charts = runsOf(configured).map((run) => {
      const figure = document.createElement('figure');
      figure.className = 'mini-chart';
      const caption = document.createElement('figcaption');
      const name = runName(run);
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.hidden = true;
      caption.append(name, badge);
      const plot = document.createElement('div');
      plot.className = 'chart';
      figure.append(caption, plot);
      container.append(figure);
      const chart = createStepChart(plot, {
        height: 170,
        y: { range: regression ? [-1.1, 1.1] : [-0.05, 1.05] },
        syncKey: 'outputs',
        plugins: [labelLinesPlugin(lines)],
        series: series.examples.map((example) => {
          if (regression) {
            const target = labels[example][0];
            return { label: `${example}: target ${formatNumber(target, 2)}`, stroke: targetColor(target), width: 1.75 };
          }
          const cls = classOf(labels[example]);
          return { label: `${example}: ${configured.class_names[cls]}`, stroke: classColor(cls), width: 1.75 };
        }),
      });
      return { run, chart, badge };
    });
  }

  return {
    element: container, // the render loop skips it while off screen
    draw(state) {
      if (!state.configured || !state.series) return;
      if (seen.config !== state.rev.config || charts.length === 0) build(state);
      else if (seen.frame === state.rev.frame && seen.events === state.rev.events) return;
      seen = { config: state.rev.config, frame: state.rev.frame, events: state.rev.events };
      const { series } = state;
      charts.forEach(({ run, chart, badge }, r) => {
        chart.setData([series.steps, ...series.outputs[r]]);
        const step = state.converged[run.id];
        badge.hidden = step === undefined;
        if (step !== undefined) badge.textContent = `reached the ${state.configured.task === 'regression' ? 'targets' : 'labels'} at step ${formatStep(step)}`;
      });
    },
    canvases: () => charts.map(({ run, chart }) => ({ run, canvas: chart.canvas(), chart: chart.chart })),
  };
}
