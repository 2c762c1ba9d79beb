// Share and export: copy the experiment's link (or a classroom link: views/classroom-dialog.js), download the loss
// history as CSV, and charts as PNG.

import { transientText } from './lib/dom.js';
import { composeCanvases, downloadBlob, downloadCanvas, lossHistoryRows, toCsv } from './lib/download.js';
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

export function createShare({ store, send, status }) {
  let historyWanted = false;

  const say = transientText(status);

  function requestHistory() {
    historyWanted = send({ type: 'history' });
  }

  /** The `history` reply: one row per recorded step and run (lib/download.js lossHistoryRows). */
  function receiveHistory(message) {
    if (!historyWanted) return;
    historyWanted = false;
    // The history holds each step's loss once the next step is taken; the latest frame has the current one.
    const rows = lossHistoryRows(runsOf(store.state.configured), message, store.state.frame);
    const dataset = store.state.configured?.config.dataset.name ?? 'experiment';
    downloadBlob(new Blob([toCsv(rows)], { type: 'text/csv' }), `backprop-lab-${dataset}-loss.csv`);
    say(`Saved the loss history of ${message.steps.length} steps.`);
  }

  function downloadPng(title, canvases, filename) {
    if (canvases.length === 0) return say('Nothing drawn yet.');
    downloadCanvas(composeCanvases(canvases, title), filename);
  }

  return {
    copyLink: () => copyLink(location.href, { status, onCopied: () => say('Link copied: it reproduces this experiment.') }),
    requestHistory, receiveHistory, downloadPng,
  };
}
