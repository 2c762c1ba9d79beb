// Share and export: copy the experiment's link (or a classroom link: views/classroom-dialog.js), download the loss
// history as CSV, and charts as PNG.

import { transientText } from './lib/dom.js';
import { NEGATIVE, POSITIVE, classColor } from './lib/colors.js';
import { downloadBlob, downloadCanvas, lossHistoryRows, toCsv } from './lib/download.js';
import { formatNumber, formatStep } from './lib/format.js';
import { composePicture, seriesLegend } from './lib/picture.js';
import { runsOf } from './run-kinds.js';

/** Copy `link`, then `onCopied()`; without a clipboard (an insecure page, a refused permission), show the link in
 * `status`, selected, to copy by hand. */
export async function copyLink(link, { status, onCopied }) {
  try {
    await navigator.clipboard.writeText(link);
    onCopied();
  } catch {
    status.textContent = '';
    const field = document.createElement('input');
    field.readOnly = true;
    field.value = link;
    field.setAttribute('aria-label', 'The link, to copy');
    status.append(field);
    field.select();
  }
}

const PICTURE_TITLES = {
  loss: 'Loss', outputs: 'Outputs per example', boundary: 'Decision boundary', gradients: 'Gradients per layer: ‖∂C/∂W‖',
};

/** What the boundary's colours mean: each class's colour, or a regression output's sign. */
export function boundaryKey(configured) {
  if (configured.task === 'regression') {
    return [{ label: 'output below 0', color: NEGATIVE, box: true }, { label: 'output above 0', color: POSITIVE, box: true }];
  }
  return configured.class_names.map((name, c) => ({ label: `class ${name}`, color: classColor(c), box: true }));
}

/** The boundary grid's axes: the plane it spans. */
function planeCaption(configured) {
  const [x0, x1, y0, y1] = configured.boundary.extent.map((v) => formatNumber(v, 2));
  return `x₁ ${x0} to ${x1} (left to right), x₂ ${y0} to ${y1} (bottom to top)`;
}

export function createShare({ store, send, status }) {
  let historyWanted = false;

  const say = transientText(status);

  function requestHistory() {
    historyWanted = send({ type: 'history' });
  }

  /** The `history` reply: rows per step and run, up to the current step (lib/download.js lossHistoryRows). */
  function receiveHistory(message) {
    if (!historyWanted) return;
    historyWanted = false;
    const rows = lossHistoryRows(runsOf(store.state.configured), message);
    const dataset = store.state.configured?.config.dataset.name ?? 'experiment';
    downloadBlob(new Blob([toCsv(rows)], { type: 'text/csv' }), `backprop-lab-${dataset}-loss.csv`);
    const last = formatStep(message.steps.at(-1));
    say(message.stride === 1 ? `Saved the loss of every step, 0 to ${last}.`
      : `Saved the loss of every ${message.stride === 2 ? 'other' : `${message.stride}th`} step, 0 to ${last}: a run this long is kept thinned.`);
  }

  /** One card's PNG (lib/picture.js): `items` are its view's canvases ({canvas, chart, run}). */
  function downloadPng(name, items) {
    if (items.length === 0) return say('Nothing drawn yet.');
    const configured = store.state.configured;
    const boundary = name === 'boundary';
    const panels = items.map(({ canvas, run }) => ({
      canvas, name: run?.name, run, caption: boundary ? planeCaption(configured) : undefined,
    }));
    // A chart's legend from its series (every run's chart has the same ones); the boundary's, its colours' key.
    const legend = boundary ? boundaryKey(configured) : seriesLegend(items[0].chart);
    downloadCanvas(composePicture({ title: PICTURE_TITLES[name], legend, panels }), `backprop-lab-${name}.png`);
  }

  return {
    copyLink: () => copyLink(location.href, { status, onCopied: () => say('Link copied: it reproduces this experiment.') }),
    requestHistory, receiveHistory, downloadPng,
  };
}
