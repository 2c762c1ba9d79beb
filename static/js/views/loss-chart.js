// View 1: the loss of every run on one chart, optionally on a log scale; hover shows each value.

import { createStepChart } from '../lib/charts.js';
import { runsOf } from '../run-kinds.js';

export function createLossChart({ container, logToggle, requestDraw }) {
  let chart = null;
  let seen = { config: -1, frame: -1 };
  let logScale = logToggle.checked;

  function build(state) {
    chart?.destroy();
    container.replaceChildren();
    const runs = runsOf(state.configured);
    chart = createStepChart(container, {
      height: 240,
      y: { log: logScale },
      yLabel: 'loss',
      series: runs.map((run) => ({ label: run.name, stroke: run.color, dash: run.dash })),
    });
    // uPlot's legend marks every series solid: a mistake run's entry gets a dashed mark (style.css) and its id.
    const entries = container.querySelectorAll('.u-legend .u-series');
    runs.forEach((run, r) => {
      if (!run.mistake || !entries[r + 1]) return; // entry 0 is the step
      entries[r + 1].classList.add('mistake');
      entries[r + 1].dataset.mistake = run.mistake;
      entries[r + 1].style.setProperty('--run-color', run.color);
    });
  }

  logToggle.addEventListener('change', () => {
    logScale = logToggle.checked;
    seen = { config: -1, frame: -1 }; // rebuild: uPlot fixes a scale's distribution when it is created
    requestDraw();
  });

  return {
    draw(state) {
      if (!state.configured) return;
      if (seen.config !== state.rev.config) build(state);
      else if (seen.frame === state.rev.frame) return;
      seen = { config: state.rev.config, frame: state.rev.frame };
      const series = state.series;
      if (!series) return chart.setData([[], ...runsOf(state.configured).map(() => [])]);
      chart.setData([series.steps, ...series.loss]);
    },
    canvases: () => (chart ? [{ title: 'Loss', canvas: chart.canvas() }] : []),
  };
}
