// View 7: "Check my numbers". The selected run's weights as Python for the learner's own code (a snapshot: the
// weights keep changing while training plays), what their code printed read back, every entry beside the exact
// one (POST /api/backprop), and the first wrong equation with the mistake that gives their numbers
// (POST /api/check). Two modes (check-modes.js): one example's backprop, or one training step.

import { element } from '../lib/dom.js';
import { formatStep } from '../lib/format.js';
import { parsePastedNumbers, PasteError } from '../lib/pasted-numbers.js';
import { StepShapeError } from '../lib/step-gradient.js';
import { runsOf } from '../run-kinds.js';
import { CHECK_MODES } from './check-modes.js';
import { entryTables, reportSummary } from './check-report.js';

const PASTE_REASONS = {
  empty: 'no numbers in it',
  unbalanced_brackets: 'the brackets do not pair up',
  not_finite: 'NaN or infinity: every number must be finite',
  unexpected_text: 'something that is not a number',
};

async function postJson(path, body) {
  const response = await fetch(path, { // relative to the page: keeps a root path such as /lab/
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** Nesting depth of parsed numbers: 0 for a number, 1 for a list of numbers, ... */
const depth = (value) => (Array.isArray(value) ? 1 + Math.max(0, ...value.map(depth)) : 0);

function shapeText(error) {
  return error.reason === 'layer_count'
    ? `the network has ${error.expected} weight layers, so ${error.field} needs ${error.expected} arrays, input side first`
    : `${error.field}[${error.layer}] must be ${error.expected.join(' × ')}, like ${error.field}[${error.layer}] in the code`;
}

export function createCheckPanel({ section, useWeights }) {
  const part = (id) => section.querySelector(`#${id}`);
  const runSelect = part('check-run');
  const modeInputs = [...section.querySelectorAll('input[name="check-mode"]')];
  const snapshotButton = part('check-snapshot');
  const copyButton = part('check-copy');
  const snapshotNote = part('check-snapshot-note');
  const code = part('check-code');
  const fieldGroups = [...section.querySelectorAll('.check-fields[data-mode]')];
  const fields = {};
  const errors = {};
  for (const textarea of section.querySelectorAll('.check-fields textarea[data-field]')) {
    fields[textarea.dataset.field] = textarea;
    errors[textarea.dataset.field] = part(`${textarea.id}-error`);
  }
  const checkButton = part('check-submit');
  const summary = part('check-summary');
  const entries = part('check-entries');
  let seen = { config: -1, check: null, open: null };
  let configured = null; // the experiment shown, for the runs' names
  let snapshot = null;
  let mode = CHECK_MODES[modeInputs.find((input) => input.checked)?.value] ?? CHECK_MODES.example;
  let checking = false;

  snapshotButton.addEventListener('click', () => runSelect.value && useWeights(runSelect.value));
  copyButton.addEventListener('click', copy);
  checkButton.addEventListener('click', check);
  for (const input of modeInputs) input.addEventListener('change', () => input.checked && setMode(input.value));
  showMode();

  function setMode(id) {
    mode = CHECK_MODES[id];
    showMode();
    clearFieldErrors();
    clearResult();
    if (snapshot) showSnippet();
  }

  function showMode() {
    for (const group of fieldGroups) group.hidden = group.dataset.mode !== mode.id;
  }

  async function copy() {
    try {
      await navigator.clipboard.writeText(code.value);
      showSnapshotNote('Copied.');
    } catch {
      // No clipboard here (an http page, or permission refused): select the text for Ctrl+C.
      code.focus();
      code.select();
      showSnapshotNote('Selected: press Ctrl+C (⌘C) to copy.');
    }
  }

  const runName = (taken) => runsOf(configured).find((r) => r.id === taken.run)?.name ?? taken.kind;

  function showSnapshotNote(extra = '') {
    if (!snapshot) return;
    snapshotNote.dataset.step = String(snapshot.step);
    snapshotNote.dataset.run = snapshot.run;
    snapshotNote.textContent = `The weights of ${runName(snapshot)} at step ${formatStep(snapshot.step)}, ` +
      `${mode.what(snapshot)}: they stay until you take new ones. ${extra}`.trim();
  }

  function showSnippet() {
    code.value = mode.snippet(snapshot, `Backprop Lab: ${runName(snapshot)} at step ${snapshot.step}, ${mode.what(snapshot)}`);
    code.hidden = false;
    showSnapshotNote();
  }

  function drawSnapshot(state) {
    const { snapshot: taken, error } = state.check;
    if (taken && taken !== snapshot) {
      snapshot = taken;
      showSnippet();
      clearResult();
    }
    if (error) snapshotNote.textContent = `The weights could not be fetched: ${error.message}`;
    else if (snapshot) showSnapshotNote();
    else snapshotNote.textContent = 'Press “Use this run’s weights” for the code to paste.';
  }

  function clearResult() {
    summary.replaceChildren();
    entries.replaceChildren();
    entries.removeAttribute('tabindex');
  }

  function showFieldError(field, text, where = {}) {
    errors[field].textContent = text;
    Object.assign(errors[field].dataset, where);
    fields[field].setAttribute('aria-invalid', 'true');
  }

  function clearFieldErrors() {
    for (const field of Object.keys(fields)) {
      errors[field].replaceChildren();
      for (const key of Object.keys(errors[field].dataset)) delete errors[field].dataset[key];
      fields[field].removeAttribute('aria-invalid');
    }
  }

  /** The pasted numbers by field (only the fields with text), or null after showing a parse error. */
  function readFields() {
    const pasted = {};
    let firstBad = null;
    for (const field of mode.fields) {
      const text = fields[field].value;
      if (!text.trim()) continue;
      try {
        let value = parsePastedNumbers(text);
        // One weight layer: a single array printed on its own is that layer's entry of the list.
        if (snapshot.model.W.length === 1 && depth(value) <= 2) value = [value];
        pasted[field] = value;
      } catch (error) {
        if (!(error instanceof PasteError)) throw error;
        showFieldError(field, `Cannot read this: ${PASTE_REASONS[error.reason] ?? error.reason}, at character ` +
          `${error.at + 1}.`, { reason: error.reason, at: String(error.at) });
        firstBad ??= { field, at: error.at };
      }
    }
    if (firstBad) {
      // Put the cursor where reading stopped.
      fields[firstBad.field].focus();
      fields[firstBad.field].setSelectionRange(firstBad.at, firstBad.at + 1);
      return null;
    }
    return pasted;
  }

  /** The mode's requests for the pasted numbers, or null after showing why there are none. */
  function requestsFor(pasted) {
    try {
      return mode.requests(snapshot, pasted);
    } catch (error) {
      if (!(error instanceof StepShapeError)) throw error;
      showFieldError(error.field, `Cannot use this: ${shapeText(error)}.`,
        { reason: error.reason, ...(error.layer === null ? {} : { layer: String(error.layer) }) });
      fields[error.field].focus();
      return null;
    }
  }

  function showVerdict(id, text, className = 'check-verdict') {
    const note = element('p', className, text);
    note.dataset.verdict = id;
    summary.append(note);
  }

  async function check() {
    if (!snapshot || checking) return;
    clearFieldErrors();
    clearResult(); // the last result is about other numbers
    const pasted = readFields();
    if (!pasted) return;
    if (Object.keys(pasted).length === 0) return showVerdict('nothing_pasted', mode.nothingPasted);
    const requests = requestsFor(pasted);
    if (!requests) return;
    if (requests.unchanged) {
      return showVerdict('unchanged', 'Your weights did not change: these are the weights from before the step. ' +
        'Print net.weights after update_mini_batch, which must set self.weights and self.biases.', 'check-verdict bad');
    }
    const [taken, checkedMode] = [snapshot, mode];
    checking = true;
    checkButton.setAttribute('aria-busy', 'true');
    summary.append(element('p', 'card-note', 'Checking…'));
    try {
      const [report, exact] = await Promise.all([postJson('api/check', requests.check),
        postJson('api/backprop', requests.backprop)]);
      // A new snapshot or mode came meanwhile: these numbers are about the old one.
      if (taken !== snapshot || checkedMode !== mode) return;
      clearResult();
      if (report.status === 422) return showRefusal(report.body?.detail?.[0]);
      if (report.status !== 200 || exact.status !== 200) {
        return showProblem(`The server could not check them (HTTP ${report.status === 200 ? exact.status : report.status}).`);
      }
      showReport(report.body, exact.body, requests.arrays);
    } catch {
      clearResult();
      showProblem('The server could not be reached.');
    } finally {
      checking = false;
      checkButton.setAttribute('aria-busy', 'false');
    }
  }

  /** A 422: beside the field it is about, else in the result. */
  function showRefusal(detail) {
    const field = detail?.field ?? '';
    const about = mode.refused(field);
    if (about) showFieldError(about.name, detail.msg, { field: about.path });
    else showProblem(detail?.msg ?? 'The server refused these numbers.', field);
  }

  function showProblem(text, field = '') {
    showVerdict('refused', text, 'check-verdict bad');
    if (field) summary.lastChild.dataset.field = field;
  }

  function showReport(report, exact, arrays) {
    summary.append(...reportSummary(report, mode));
    if (mode.entriesNote) entries.append(element('p', 'card-note check-entries-note', mode.entriesNote));
    entries.append(...entryTables(arrays, exact, report));
    if (entries.childElementCount) entries.tabIndex = 0; // it scrolls sideways when wide: reachable by keyboard
  }

  function drawRuns(state) {
    const previous = runSelect.value;
    const runs = runsOf(state.configured);
    runSelect.replaceChildren(...runs.map((run) => new Option(run.name, run.id)));
    if (runs.some((run) => run.id === previous)) runSelect.value = previous;
  }

  return {
    draw(state) {
      const open = state.connection === 'open' && Boolean(state.configured);
      configured = state.configured ?? configured;
      if (seen.config !== state.rev.config && state.configured) drawRuns(state);
      if (seen.check !== state.check || seen.open !== open) drawSnapshot(state);
      snapshotButton.disabled = !open;
      copyButton.disabled = !snapshot;
      checkButton.disabled = !snapshot;
      seen = { config: state.rev.config, check: state.check, open };
    },
  };
}
