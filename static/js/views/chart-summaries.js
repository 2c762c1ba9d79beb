// The charts' text alternative: under each chart card, a visually hidden sentence with the latest values ("step 120:
// sigmoid + MSE loss 0.231, softmax + CE loss 0.012"), for screen readers and anyone who cannot see the lines.
// Not live (aria-live="off": read when the reader gets there, not announced 30 times a second), and rewritten a
// few times a second at most. Each value also sits in `data-value` beside its run's `data-run`.

import { formatNumber, formatStep, superscript } from '../lib/format.js';
import { createThrottle } from '../lib/throttle.js';
import { runsOf } from '../run-kinds.js';

/** Per run: [text, values] for each chart, from the latest frame. */
const SUMMARIES = {
  loss: (run, frame) => [`${run.name} loss ${formatNumber(frame.loss, 3)}`, [frame.loss]],
  outputs(run, frame, state) {
    const { examples, units } = state.series;
    const values = examples.map((e, i) => frame.outputs[e]?.[units[i]] ?? null);
    const text = values.map((a, i) => `example ${examples[i]}: ${formatNumber(a, 3)} (label ${state.configured.labels[examples[i]][units[i]]})`);
    return [`${run.name} outputs ${text.join(', ')}`, values];
  },
  gradients(run, frame) {
    const norms = frame.layers.map((layer) => layer.grad_W_norm);
    return [`${run.name} ‖∂C/∂W‖ ${norms.map((n, l) => `W${superscript(l + 1)} ${formatNumber(n, 3)}`).join(', ')}`, norms];
  },
};

function summaryOf(kind, state) {
  const { frame } = state;
  const paragraph = document.createElement('p');
  paragraph.append(`step ${formatStep(frame.step)}: `);
  runsOf(state.configured).forEach((run, r) => {
    const runFrame = frame.runs[r];
    if (!runFrame) return;
    const [text, values] = SUMMARIES[kind](run, runFrame, state);
    const item = document.createElement('span');
    item.dataset.run = run.id;
    item.dataset.value = values.map((v) => (v === null ? '' : String(v))).join(' ');
    item.textContent = runFrame.status === 'diverged' ? `${text} (diverged: stopped)` : text;
    if (r > 0) paragraph.append('; ');
    paragraph.append(item);
  });
  return paragraph;
}

/** `charts`: chart kind (loss, outputs, gradients) -> the element its view draws in; the summary goes after it. */
export function createChartSummaries({ charts, requestDraw }) {
  const boxes = Object.entries(charts).map(([kind, chart]) => {
    const box = document.createElement('div');
    box.className = 'chart-summary visually-hidden';
    box.setAttribute('aria-live', 'off');
    chart.after(box);
    return { kind, box };
  });
  const throttle = createThrottle(requestDraw);
  let seen = -1;

  return {
    draw(state) {
      if (!state.configured || !state.frame || !state.series || seen === state.rev.frame) return;
      if (throttle.tooSoon()) return; // drawn when the time is up, with the numbers of then
      seen = state.rev.frame;
      for (const { kind, box } of boxes) {
        box.dataset.step = String(state.frame.step);
        box.replaceChildren(summaryOf(kind, state));
      }
    },
  };
}
