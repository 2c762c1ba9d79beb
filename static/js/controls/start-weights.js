// "Start from weights…": every run starts from a saved model's weights instead of seeded ones. A file (.json,
// .safetensors, .npz) is imported first (POST api/models/import), then started from like any saved model, so the
// link only ever names a saved model's id: it cannot carry a file's weights. Choosing a model writes its hidden
// layers and activation into the form, which then sends `configure` as for any other change. The models this browser
// saved can be deleted here (their owner keys are in owner-keys.js); a hosted server lists only those.

import { option } from '../lib/dom.js';
import { forgetOwnerKey, ownerKeyOf, ownerKeysHeader, rememberOwnerKey } from '../owner-keys.js';

const MODELS_LISTED = 100; // the newest; a link's older model is added on its own
const SEEDED = '0';

const sizesText = (sizes) => sizes.join('-');

/** `field(name)`: the form's control of that name; `runKinds()`: the checked kinds, for an .npz's output layer. */
export function createStartWeights({ section, field, runKinds, onError }) {
  const select = section.querySelector('#start');
  const fileInput = section.querySelector('#start-file');
  const hint = section.querySelector('#start-hint');
  let hello = null;
  let models = new Map(); // id (text) -> summary (GET api/models)
  let fromFile = null; // { id, filename }: the model the last file became
  const deleteButton = document.createElement('button');
  deleteButton.type = 'button';
  deleteButton.className = 'start-delete';
  deleteButton.textContent = 'Delete this saved model';
  deleteButton.hidden = true;
  select.after(deleteButton);

  function label(summary) {
    return `${summary.name} (${sizesText(summary.layer_sizes)})`;
  }

  function ensureOption(id) {
    if (id === SEEDED || [...select.options].some((o) => o.value === id)) return;
    select.add(option(id, models.has(id) ? label(models.get(id)) : `saved model ${id}`));
  }

  function describe() {
    const id = select.value;
    deleteButton.hidden = id === SEEDED || !ownerKeyOf(id); // only this browser's own models
    const name = models.has(id) ? `“${models.get(id).name}”` : `saved model ${id}`;
    if (id === SEEDED) hint.textContent = 'Every run starts from the seeded weights set above.';
    else if (fromFile?.id === id) {
      hint.textContent = `Every run starts from “${fromFile.filename}”, imported as a saved model. A link cannot ` +
        'carry the file’s weights: it names the saved model, so it works only on this server while that model ' +
        'is kept.';
    } else {
      hint.textContent = `Every run starts from ${name}’s weights (its hidden layers are shown above); ` +
        'the link names the saved model.';
    }
  }

  /** The form's network follows the model: its hidden sizes (so the shapes fit) and its hidden activation. */
  function followModel(summary) {
    if (!summary) return;
    field('hidden').value = summary.layer_sizes.slice(1, -1).join(',');
    if (summary.hidden_activation) field('activation').value = summary.hidden_activation;
  }

  async function loadList() {
    try {
      const response = await fetch(`api/models?limit=${MODELS_LISTED}`, {
        headers: { accept: 'application/json', 'x-owner-keys': ownerKeysHeader() }, // hosted: only these are listed
      });
      if (!response.ok) return;
      const page = await response.json();
      for (const summary of page.items) models.set(summary.id, summary);
    } catch {
      return; // no list: the menu keeps "seeded" and any link's model
    }
    const chosen = select.value;
    select.replaceChildren(select.options[0], ...[...models.values()].map((s) => option(s.id, label(s))));
    ensureOption(chosen);
    select.value = chosen;
    describe(); // the chosen model's name, now known
  }

  /** An .npz holds only numbers: its output layer and loss are the first chosen run's, its hidden activation the form's. */
  function npzArchitecture(body) {
    const kind = hello.run_kinds[runKinds()[0]];
    if (kind) {
      body.append('output_activation', kind.output_activation);
      body.append('loss', kind.loss);
    }
    body.append('hidden_activation', field('activation').value);
  }

  async function importFile(file) {
    const body = new FormData();
    body.append('file', file, file.name);
    if (file.name.toLowerCase().endsWith('.npz')) npzArchitecture(body);
    let response;
    let answer = null;
    try {
      response = await fetch('api/models/import', { method: 'POST', body, headers: { accept: 'application/json' } });
      answer = await response.json().catch(() => null);
    } catch {
      onError('start', 'The file could not be sent to the server; check the connection and try again.');
      return;
    }
    if (response.status !== 201) {
      const problem = answer?.detail?.[0];
      const where = problem?.field ? `${problem.field}: ` : '';
      onError('start', `${file.name}: ${where}${problem?.msg ?? answer?.detail ?? `the server answered ${response.status}`}`);
      return;
    }
    rememberOwnerKey(answer.id, answer.owner_key);
    models.set(answer.id, answer);
    fromFile = { id: answer.id, filename: file.name };
    ensureOption(answer.id);
    select.value = answer.id;
    followModel(answer);
    select.dispatchEvent(new Event('change', { bubbles: true })); // the form sends `configure`, as for a choice
  }

  /** DELETE with the owner key; then back to the seeded weights, which the form sends as for a choice. */
  async function deleteChosen() {
    const id = select.value;
    let response;
    try {
      response = await fetch(`api/models/${id}`, { method: 'DELETE', headers: { 'x-owner-key': ownerKeyOf(id) } });
    } catch {
      onError('start', 'The model could not be deleted: the server did not answer; try again.');
      return;
    }
    if (response.status !== 204 && response.status !== 404) {
      const answer = await response.json().catch(() => null);
      onError('start', `The model could not be deleted: ${answer?.detail ?? `the server answered ${response.status}`}`);
      return;
    }
    forgetOwnerKey(id);
    models.delete(id);
    [...select.options].find((o) => o.value === id)?.remove();
    select.value = SEEDED;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  }

  select.addEventListener('change', () => {
    followModel(models.get(select.value));
    describe();
  });
  deleteButton.addEventListener('click', deleteChosen);
  fileInput.addEventListener('change', (event) => {
    event.stopPropagation(); // not a setting: the import's answer changes the menu, which is
    const [file] = fileInput.files;
    fileInput.value = '';
    if (file) importFile(file);
  });

  return {
    populate(message) {
      hello = message;
      models = new Map();
      loadList();
    },
    /** Show a saved model's id (0: seeded weights), as a link or the settings name it. */
    show(start) {
      const id = String(start || SEEDED);
      ensureOption(id);
      select.value = id;
      describe();
    },
    value: () => (select.value === SEEDED ? 0 : select.value),
    /** Start from a saved model (the "Saved models" panel's summary), as if chosen in the menu. */
    choose(summary) {
      models.set(summary.id, summary);
      ensureOption(summary.id);
      select.value = summary.id;
      select.dispatchEvent(new Event('change', { bubbles: true })); // the form follows it and sends `configure`
    },
    /** A model deleted elsewhere in the page: out of the menu (the running experiment keeps its weights). */
    forget(id) {
      models.delete(id);
      if (select.value !== id) [...select.options].find((o) => o.value === id)?.remove();
      describe();
    },
  };
}
