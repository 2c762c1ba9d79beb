// Share and export: copy the experiment's link, download the loss history as CSV, and charts as PNG.

import { transientText } from './lib/dom.js';
import { composeCanvases, downloadBlob, downloadCanvas, lossHistoryRows, toCsv } from './lib/download.js';
import { runsOf } from './run-kinds.js';

export function createShare({ store, send, status }) {
  let historyWanted = false;

  const say = transientText(status);

  async function copyLink() {
    try {
      await navigator.clipboard.writeText(location.href);
      say('Link copied: it reproduces this experiment.');
    } catch {
      // No clipboard (an insecure page or a refused permission): show the link to copy by hand.
      status.textContent = '';
      const field = document.createElement('input');
      field.readOnly = true;
      field.value = location.href;
      field.setAttribute('aria-label', 'Link to this experiment');
      status.append(field);
      field.select();
    }
  }

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

  return { copyLink, requestHistory, receiveHistory, downloadPng };
}
