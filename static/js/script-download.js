// "Download as Python": the running experiment (the server's own `configured.config`) as a standalone NumPy
// script from POST api/script, saved under the name its Content-Disposition gives. A 422 goes where its field is.

import { transientText } from './lib/dom.js';
import { downloadBlob } from './lib/download.js';

const SCRIPT_URL = 'api/script'; // relative: the page may be served under a root path (/lab/)
const FALLBACK_NAME = 'backprop-lab-experiment.py';

/** The file name of a Content-Disposition header, e.g. `attachment; filename="backprop-lab-xor.py"`. */
export function attachmentName(header) {
  const name = /filename="([^"]+)"/.exec(header ?? '')?.[1];
  return name && !/[\\/]/.test(name) ? name : FALLBACK_NAME;
}

const NOT_EXPORTED = 'Not exported: the experiment goes on as it is.';

/** A view of the store: the button works once an experiment runs; `status` says what became of a download. */
export function createScriptDownload({ store, button, status }) {
  let busy = false;

  const say = transientText(status);

  /** A refused export's error at its field, as the socket's errors are (errors-view.js). */
  function showError(field, message) {
    store.update(['errors'], (state) => {
      state.errors[field ?? ''] = { message, note: NOT_EXPORTED };
    });
  }

  async function download() {
    const config = store.state.configured?.config;
    if (!config || busy) return;
    busy = true;
    button.disabled = true;
    try {
      const response = await fetch(SCRIPT_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(config),
      });
      if (response.status === 422) {
        const first = (await response.json()).detail?.[0];
        showError(first?.field ?? null, first?.msg ?? 'This experiment cannot be exported as a script.');
        return;
      }
      if (!response.ok) {
        say(`The script could not be made (HTTP ${response.status}).`);
        return;
      }
      const name = attachmentName(response.headers.get('content-disposition'));
      downloadBlob(await response.blob(), name);
      say(`Saved ${name}.`);
    } catch {
      say('The script could not be made: the server did not answer.');
    } finally {
      busy = false;
      button.disabled = !store.state.configured;
    }
  }

  button.addEventListener('click', download);
  return {
    download,
    draw(state) {
      button.disabled = busy || !state.configured;
    },
  };
}
