// A run's model, two ways: saved in the model store (`save`), or downloaded as a JSON model document
// (`model`). This sends the requests and writes the file; the replies reach the store in messages.js.

import { downloadBlob } from './lib/download.js';

export function createModelActions({ store, send }) {
  const pending = (type, run) => store.state.modelRequests.some((r) => r.type === type && r.run === run);

  function request(type, run) {
    if (pending(type, run) || !send({ type, run })) return; // one at a time per run; nothing when closed
    store.update(['models'], (state) => {
      state.modelRequests.push({ type, run });
      if (state.models[run]) state.models[run] = { ...state.models[run], error: null };
    });
  }

  /** The `model` reply (before messages.js settles the request): `<kind>-step<step>.json`, pretty-printed. */
  function receiveModel(message) {
    if (!pending('model', message.run)) return; // not asked for by this page
    const text = `${JSON.stringify(message.model, null, 2)}\n`;
    downloadBlob(new Blob([text], { type: 'application/json' }), `${message.kind}-step${message.step}.json`);
  }

  return {
    save: (run) => request('save', run),
    download: (run) => request('model', run),
    receiveModel,
  };
}
