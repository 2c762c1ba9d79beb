// A run's model, two ways: saved in the model store (`save`), or fetched as a JSON model document (`model`),
// either to download or for the "Check my numbers" panel (its `purpose`). This sends the requests, writes the file
// and keeps a saved model's owner key (owner-keys.js); the replies reach the store in messages.js.

import { downloadBlob } from './lib/download.js';
import { rememberOwnerKey } from './owner-keys.js';

/** `onSaved(summary)`: a run was saved (the "Saved models" panel lists it). */
export function createModelActions({ store, send, onSaved = () => {} }) {
  const pending = (type, run, purpose) => store.state.modelRequests.some(
    (r) => r.type === type && r.run === run && r.purpose === purpose);

  function request(type, run, purpose = type === 'model' ? 'download' : undefined) {
    // The check panel takes a model of the input features (it gives them as x); a download or save would not.
    const features = purpose === 'check' && store.state.configured?.network_inputs != null;
    const message = features ? { type, run, features } : { type, run };
    if (pending(type, run, purpose) || !send(message)) return; // one at a time per run; nothing when closed
    store.update(['models'], (state) => {
      state.modelRequests.push({ type, run, purpose });
      if (purpose === 'check') state.check = { ...state.check, error: null };
      else if (state.models[run]) state.models[run] = { ...state.models[run], error: null };
    });
  }

  /** The `model` reply (before messages.js settles the request): `<kind>-step<step>.json`, pretty-printed, when
   * the oldest request it answers (the server answers in order) was a download. */
  function receiveModel(message) {
    const answered = store.state.modelRequests.find((r) => r.type === 'model' && r.run === message.run);
    if (answered?.purpose !== 'download') return; // for the check panel, or not asked for by this page
    const text = `${JSON.stringify(message.model, null, 2)}\n`;
    downloadBlob(new Blob([text], { type: 'application/json' }), `${message.kind}-step${message.step}.json`);
  }

  return {
    save: (run) => request('save', run),
    download: (run) => request('model', run),
    useWeights: (run) => request('model', run, 'check'),
    receiveModel,
    receiveSaved(message) {
      rememberOwnerKey(message.model.id, message.owner_key);
      onSaved(message.model);
    },
  };
}
