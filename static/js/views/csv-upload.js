// "Your own data": a CSV file read in the page, its label column chosen from its header row, then trained on live.
// The file becomes the dataset menu's "csv" choice, and `configure` carries its text (dataset.csv); the server reads
// it as POST /api/datasets/csv does and says what it refused (dataset.csv.text or .label_column, shown beside these
// controls by the errors view). A link cannot carry the file: it says dataset=csv, and opening it says so.

import { option } from '../lib/dom.js';

export const CSV_DATASET = 'csv';
const MESSAGE_ROOM = 2048; // the rest of the `configure` message beside the file's text

/** The first record of a CSV text: its header's column names (quoted names may hold commas). */
export function headerNames(text) {
  const names = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 1; } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { names.push(cell.trim()); cell = ''; } else if (c === '\n' || c === '\r') break;
    else cell += c;
  }
  names.push(cell.trim());
  return names;
}

/** `datasetSelect`: the form's dataset menu; `onError(field, message)`: a refusal found before sending. */
export function createCsvUpload({ fileInput, labelSelect, labelBox, hint, datasetSelect, onError }) {
  let file = null; // { name, text }
  let hello = null;

  function ensureOption() {
    if (!file) return;
    const text = `Your file: ${file.name}`;
    const existing = [...datasetSelect.options].find((o) => o.value === CSV_DATASET);
    if (existing) existing.textContent = text;
    else datasetSelect.add(option(CSV_DATASET, text));
  }

  function describe(used) {
    if (!file) {
      hint.textContent = 'Numeric feature columns and one label column, with a header row.';
      return;
    }
    const rows = used ? `${used.rows} rows used, ${used.features} feature columns, ${used.classes.length} classes ` +
      `(${used.classes.join(', ')}). ` : '';
    hint.textContent = `${file.name}: ${rows}A link cannot carry the file: opened elsewhere, it starts with the ` +
      'default dataset.';
  }

  async function read(chosen) {
    const text = await chosen.text();
    const limit = (hello?.limits.max_message_bytes ?? Infinity) - MESSAGE_ROOM;
    const size = new TextEncoder().encode(JSON.stringify(text)).length;
    if (size > limit) {
      onError('dataset.csv.text', `${chosen.name} is ${Math.ceil(size / 1000)} KB as sent; this server takes ` +
        `files up to ${Math.floor(limit / 1000)} KB for live training.`);
      return;
    }
    file = { name: chosen.name, text };
    const names = headerNames(text).filter(Boolean);
    labelSelect.replaceChildren(...names.map((name) => option(name, name)));
    labelSelect.value = names.at(-1) ?? '';
    labelBox.hidden = names.length === 0;
    ensureOption();
    describe(null);
    datasetSelect.value = CSV_DATASET;
    datasetSelect.dispatchEvent(new Event('change', { bubbles: true })); // the form sends `configure`
  }

  fileInput.addEventListener('change', (event) => {
    event.stopPropagation(); // not a setting itself: the dataset menu's change, after reading, is
    const [chosen] = fileInput.files;
    fileInput.value = '';
    if (chosen) read(chosen);
  });
  describe(null);

  return {
    /** After `hello` rebuilt the dataset menu: the file's choice back in it. */
    populate(message) {
      hello = message;
      ensureOption();
    },
    /** The settings' `csv`: the file and its label column while the menu names it, else null. */
    value: () => (datasetSelect.value === CSV_DATASET && file
      ? { text: file.text, label_column: labelSelect.value || null } : null),
    /** The server accepted the file: how much of it trains. */
    showUsed(configured) {
      if (configured.config.dataset.name !== CSV_DATASET) return;
      describe({ rows: configured.inputs.length, features: configured.inputs[0]?.length ?? 0,
        classes: configured.class_names });
    },
  };
}
