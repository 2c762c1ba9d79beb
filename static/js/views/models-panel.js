// "Saved models": the visitor's saved models a page at a time (GET api/models; a hosted server lists only those
// whose owner keys this browser holds), each with "Start from these weights" (the start-weights control's path, so
// the form's hidden layers follow the model), its export links, and "Delete" where this browser holds its key.

import { button, element } from '../lib/dom.js';
import { downloadBlob } from '../lib/download.js';
import { forgetOwnerKey, ownerKeyOf, ownerKeysHeader } from '../owner-keys.js';

const PAGE_SIZE = 10;
const FORMATS = [['json', 'JSON'], ['safetensors', 'safetensors'], ['onnx', 'ONNX']];

const sizesText = (sizes) => sizes.join('-');
const createdText = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The server's reason for a refusal: FastAPI's `detail`, a sentence or the first of a 422's list. */
async function reason(response) {
  const answer = await response.json().catch(() => null);
  const detail = answer?.detail;
  return (Array.isArray(detail) ? detail[0]?.msg : detail) || `the server answered ${response.status}`;
}

/** `startFrom(summary)`: start every run from the model's weights. */
export function createModelsPanel({ section, startFrom, onDeleted }) {
  const list = section.querySelector('#models-list');
  const status = section.querySelector('#models-status');
  const pageText = section.querySelector('#models-page');
  const newer = section.querySelector('#models-newer');
  const older = section.querySelector('#models-older');
  let offset = 0;
  let total = 0;
  let loading = 0; // the newest request; older answers are dropped

  const say = (text) => { status.textContent = text; };

  /** The page of models at `offset`. */
  async function load() {
    const asked = ++loading;
    let page;
    try {
      const response = await fetch(`api/models?limit=${PAGE_SIZE}&offset=${offset}`, {
        headers: { accept: 'application/json', 'x-owner-keys': ownerKeysHeader() },
      });
      if (!response.ok) throw new Error(await reason(response));
      page = await response.json();
    } catch (error) {
      if (asked === loading) say(`The saved models could not be listed: ${error.message}`);
      return;
    }
    if (asked !== loading) return;
    if (page.items.length === 0 && page.total > 0 && offset > 0) { // the last page emptied: go back one
      offset = Math.max(0, offset - PAGE_SIZE);
      load();
      return;
    }
    total = page.total;
    list.replaceChildren(...page.items.map(item));
    pageText.textContent = total === 0 ? 'No saved models yet: save a run with its “Save” button.'
      : `Models ${offset + 1}–${offset + page.items.length} of ${total}, newest first.`;
    newer.disabled = offset === 0;
    older.disabled = offset + page.items.length >= total;
  }

  function exportLink(summary, format, label) {
    const link = element('a', 'model-export', label);
    link.href = `api/models/${summary.id}/export?format=${format}`;
    link.setAttribute('aria-label', `Export “${summary.name}” as ${label}`);
    link.dataset.format = format;
    // Fetched rather than followed, so a refusal (a model deleted meanwhile: 404) is said here, not saved as a file.
    link.addEventListener('click', async (event) => {
      event.preventDefault();
      let response;
      try {
        response = await fetch(link.href);
      } catch {
        say(`“${summary.name}” could not be exported: the server did not answer.`);
        return;
      }
      link.dataset.refused = response.ok ? '' : String(response.status);
      if (!response.ok) {
        say(`“${summary.name}” could not be exported as ${label}: ${await reason(response)}`);
        return;
      }
      const filename = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1];
      downloadBlob(await response.blob(), filename ?? `model-${summary.id}.${format}`);
      say(`“${summary.name}” exported as ${label}.`);
    });
    return link;
  }

  async function remove(summary) {
    if (!window.confirm(`Delete the saved model “${summary.name}”? Its links stop working.`)) return;
    let response;
    try {
      response = await fetch(`api/models/${summary.id}`, {
        method: 'DELETE', headers: { 'x-owner-key': ownerKeyOf(summary.id) },
      });
    } catch {
      say(`“${summary.name}” could not be deleted: the server did not answer.`);
      return;
    }
    if (response.status !== 204 && response.status !== 404) {
      say(`“${summary.name}” could not be deleted: ${await reason(response)}`);
      return;
    }
    forgetOwnerKey(summary.id);
    onDeleted(summary.id);
    say(`“${summary.name}” deleted.`);
    load();
  }

  function item(summary) {
    const row = element('li', 'model-item');
    row.dataset.modelId = summary.id;
    const kind = summary.kind ?? `${summary.output_activation} + ${summary.loss}`;
    const about = element('p', 'model-about',
      `${kind} · layers ${sizesText(summary.layer_sizes)} · saved ${createdText(summary.created_at)}`);
    const actions = element('div', 'model-actions');
    const start = button('Start from these weights', 'model-start', () => {
      startFrom(summary);
      say(`Starting every run from “${summary.name}”: the hidden layers follow the model (a refusal shows under “Start from weights…”).`);
    });
    start.setAttribute('aria-label', `Start from these weights: “${summary.name}”`);
    actions.append(start, element('span', 'model-export-label', 'Export:'),
      ...FORMATS.map(([format, label]) => exportLink(summary, format, label)));
    if (ownerKeyOf(summary.id)) {
      const del = button('Delete', 'model-delete', () => remove(summary));
      del.setAttribute('aria-label', `Delete “${summary.name}”`);
      actions.append(del);
    } else {
      actions.append(element('span', 'model-no-key',
        'Not deletable here: only the browser that saved it holds its owner key.'));
    }
    row.append(element('h3', 'model-name', summary.name), about, actions);
    return row;
  }

  newer.addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE_SIZE);
    load();
  });
  older.addEventListener('click', () => {
    offset += PAGE_SIZE;
    load();
  });

  return {
    /** List the models again: from the newest page (a model was saved, or the page opened), or with `fromStart`
     * false the page shown (the panel's "Refresh"). */
    refresh(fromStart = true) {
      if (fromStart) offset = 0;
      load();
    },
  };
}
