// View 1: the loss of every run on one chart, optionally on a log scale; hover shows each value.
// A run that diverged ends at its last finite loss (the `diverged` event says which, whatever frames came) and a ✕
// marks the step where it blew up: the same picture at every speed.

import { createStepChart } from '../lib/charts.js';
import { hasTestPart } from '../lib/labels.js';
import { runsOf } from '../run-kinds.js';

/** The series' steps and losses with each diverged run cut after its last finite step (added if no frame had it). */
export function stoppedLosses(steps, loss, stops) {
  let outSteps = steps;
  let outLoss = loss;
  for (const { r, lastStep, lastLoss } of stops) {
    if (lastStep === null || lastStep === undefined) continue;
    let i = outSteps.findIndex((s) => s >= lastStep);
    if (i < 0) i = outSteps.length;
    if (outSteps[i] !== lastStep) { // no frame at that step: insert it, the other runs have no value there
      outSteps = [...outSteps.slice(0, i), lastStep, ...outSteps.slice(i)];
      outLoss = outLoss.map((values) => [...values.slice(0, i), null, ...values.slice(i)]);
    } else if (outLoss === loss) outLoss = loss.map((values) => values.slice());
    outLoss[r] = outLoss[r].map((v, j) => (j < i ? v : j === i ? lastLoss : null));
  }
  return { steps: outSteps, loss: outLoss };
}

/** Whether the experiment holds out test examples (dataset.test_fraction), whose loss is drawn too. */

/** Index of the last number in `values`, or -1. */
function lastFinite(values) {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== undefined) return i;
  return -1;
}

function divergedMark(run, event, step, loss) {
  const mark = document.createElement('span');
  mark.className = 'diverged-mark';
  mark.textContent = '✕';
  mark.title = `${run.name} blew up at step ${event.step.toLocaleString('en-US')}`;
  Object.assign(mark.dataset, { run: run.id, step: String(event.step), lastStep: String(step), lastLoss: String(loss) });
  Object.assign(mark.style, {
    position: 'absolute', transform: 'translate(-50%, -50%)', color: run.color, fontWeight: 'bold',
    fontSize: '16px', lineHeight: '1', pointerEvents: 'none',
  });
  return mark;
}

export function createLossChart({ container, logToggle, requestDraw }) {
  let chart = null;
  let seen = { config: -1, frame: -1, events: -1 };
  let logScale = logToggle.checked;

  function build(state) {
    chart?.destroy();
    container.replaceChildren();
    const runs = runsOf(state.configured);
    chart = createStepChart(container, {
      height: 240,
      y: { log: logScale },
      yLabel: 'loss',
      spanGaps: true, // a diverged run's last finite step may be one only it has
      series: [
        ...runs.map((run) => ({ label: run.name, stroke: run.color, dash: run.dash })),
        // Each run's test loss: its colour, lighter and dotted, after every training line.
        ...(hasTestPart(state.configured) ? runs.map((run) => ({
          label: `${run.name}: test`, stroke: `${run.color}99`, dash: [2, 3], width: 1.5,
        })) : []),
      ],
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
    seen = { config: -1, frame: -1, events: -1 }; // rebuild: uPlot fixes a scale's distribution when it is created
    requestDraw();
  });

  return {
    element: container, // the render loop skips it while off screen
    draw(state) {
      if (!state.configured) return;
      if (seen.config !== state.rev.config) build(state);
      else if (seen.frame === state.rev.frame && seen.events === state.rev.events) return;
      seen = { config: state.rev.config, frame: state.rev.frame, events: state.rev.events };
      const runs = runsOf(state.configured);
      const series = state.series;
      if (!series) {
        chart.setMarks([]);
        return chart.setData([[], ...chart.chart.series.slice(1).map(() => [])]);
      }
      const diverged = state.diagnoses
        .filter((d) => d.event === 'diverged')
        .map((event) => ({ event, r: runs.findIndex((run) => run.id === event.run) }))
        .filter(({ r }) => r >= 0);
      const stops = diverged.map(({ event, r }) => ({ r, lastStep: event.last_finite_step, lastLoss: event.last_finite_loss }));
      const lines = hasTestPart(state.configured) ? [...series.loss, ...series.testLoss] : series.loss;
      const { steps, loss } = stoppedLosses(series.steps, lines, stops);
      chart.setData([steps, ...loss]);
      chart.setMarks(diverged.map(({ event, r }) => {
        const i = lastFinite(loss[r]);
        const step = i >= 0 ? steps[i] : null;
        const value = i >= 0 ? loss[r][i] : null;
        return { step: event.step, value, element: divergedMark(runs[r], event, step, value) };
      }));
    },
    canvases: () => (chart ? [{ canvas: chart.canvas(), chart: chart.chart }] : []),
  };
}
