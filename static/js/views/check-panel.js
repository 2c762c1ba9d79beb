// View 7: "Check my numbers". The selected run's weights and example as Python for the learner's own code (a
// snapshot: the weights keep changing while training plays), their printed nabla_b and nabla_w read back, every
// entry beside the exact one (POST /api/backprop), and the first wrong equation with the mistake that gives
// their numbers (POST /api/check).

import { element } from '../lib/dom.js';
import { markEntries } from '../lib/entry-marks.js';
import { formatNumber, formatStep } from '../lib/format.js';
import { nielsenSnippet } from '../lib/nielsen-snippet.js';
import { parsePastedNumbers, PasteError } from '../lib/pasted-numbers.js';
import { runsOf } from '../run-kinds.js';

const NABLAS = ['nabla_b', 'nabla_w'];
const EXACT_OF = { nabla_b: 'grad_b', nabla_w: 'grad_W' }; // the names of /api/backprop's answer
const NABLA_OF = { grad_b: 'nabla_b', grad_W: 'nabla_w' };
const MAX_ENTRIES_SHOWN = 300; // per array; a larger one shows its first rows (the caption counts them all)

const PASTE_REASONS = {
  empty: 'no numbers in it',
  unbalanced_brackets: 'the brackets do not pair up',
  not_finite: 'NaN or infinity: every number must be finite',
  unexpected_text: 'something that is not a number',
};

const EQUATIONS = {
  forward: 'the forward pass',
  cost: 'the cost',
  BP1: 'BP1, δᴸ of the output layer',
  BP2: 'BP2, δ of a hidden layer',
  BP3: 'BP3, ∂C/∂b = δ',
  BP4: 'BP4, ∂C/∂W = δ (aˡ⁻¹)ᵀ',
};

const LAYOUT_NOTES = {
  column_vectors: 'Your vectors are columns (n, 1), as in Nielsen’s code: read as such, not a mistake.',
  grad_W_transposed: 'Your nabla_w is transposed, (n_in, n_out): read as such, not a mistake.',
  nielsen_nablas: 'Read as Nielsen’s nabla_b and nabla_w lists, one entry per weight layer, input side first.',
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

export function createCheckPanel({ section, useWeights }) {
  const part = (id) => section.querySelector(`#${id}`);
  const runSelect = part('check-run');
  const snapshotButton = part('check-snapshot');
  const copyButton = part('check-copy');
  const snapshotNote = part('check-snapshot-note');
  const code = part('check-code');
  const fields = { nabla_b: part('check-nabla-b'), nabla_w: part('check-nabla-w') };
  const errors = { nabla_b: part('check-nabla-b-error'), nabla_w: part('check-nabla-w-error') };
  const checkButton = part('check-submit');
  const summary = part('check-summary');
  const entries = part('check-entries');
  let seen = { config: -1, check: null, open: null };
  let configured = null; // the experiment shown, for the runs' names
  let snapshot = null;
  let checking = false;

  snapshotButton.addEventListener('click', () => runSelect.value && useWeights(runSelect.value));
  copyButton.addEventListener('click', copy);
  checkButton.addEventListener('click', check);

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

  function showSnapshotNote(extra = '') {
    if (!snapshot) return;
    const run = runsOf(configured).find((r) => r.id === snapshot.run);
    snapshotNote.dataset.step = String(snapshot.step);
    snapshotNote.dataset.run = snapshot.run;
    snapshotNote.textContent = `The weights of ${run?.name ?? snapshot.kind} at step ${formatStep(snapshot.step)}, ` +
      `example ${snapshot.example}: they stay until you take new ones. ${extra}`.trim();
  }

  function drawSnapshot(state) {
    const { snapshot: taken, error } = state.check;
    if (taken && taken !== snapshot) {
      snapshot = taken;
      const run = runsOf(configured).find((r) => r.id === taken.run);
      code.value = nielsenSnippet({ ...taken,
        caption: `Backprop Lab: ${run?.name ?? taken.kind} at step ${taken.step}, example ${taken.example}` });
      code.hidden = false;
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

  function showFieldError(nabla, text, where = {}) {
    errors[nabla].textContent = text;
    Object.assign(errors[nabla].dataset, where);
    fields[nabla].setAttribute('aria-invalid', 'true');
  }

  function clearFieldErrors() {
    for (const nabla of NABLAS) {
      errors[nabla].replaceChildren();
      for (const key of Object.keys(errors[nabla].dataset)) delete errors[nabla].dataset[key];
      fields[nabla].removeAttribute('aria-invalid');
    }
  }

  /** The pasted numbers by name (only the fields with text), or null after showing a parse error. */
  function readFields() {
    const yours = {};
    let firstBad = null;
    for (const nabla of NABLAS) {
      const text = fields[nabla].value;
      if (!text.trim()) continue;
      try {
        let value = parsePastedNumbers(text);
        // One weight layer: a single array printed on its own is that layer's entry of the list.
        if (snapshot.model.W.length === 1 && depth(value) <= 2) value = [value];
        yours[nabla] = value;
      } catch (error) {
        if (!(error instanceof PasteError)) throw error;
        showFieldError(nabla, `Cannot read this: ${PASTE_REASONS[error.reason] ?? error.reason}, at character ` +
          `${error.at + 1}.`, { reason: error.reason, at: String(error.at) });
        firstBad ??= { nabla, at: error.at };
      }
    }
    if (firstBad) {
      // Put the cursor where reading stopped.
      fields[firstBad.nabla].focus();
      fields[firstBad.nabla].setSelectionRange(firstBad.at, firstBad.at + 1);
      return null;
    }
    return yours;
  }

  /**
   * For one example, nabla_b[l] is also that example's δˡ: sent as δ too, a wrong δᴸ is found where it enters
   * (BP1, BP2), not first where it reaches ∂C/∂b (BP3). An all-zero nabla_b says nothing about δ (that is
   * bias_gradient_missing), so then it is not sent as δ (the CLI's rule too, app/check/learner_code.py).
   */
  function withDeltas(yours) {
    const nablaB = yours.nabla_b;
    if (!nablaB || nablaB.flat(Infinity).every((v) => v === 0)) return yours;
    return { ...yours, layers: nablaB.map((delta) => ({ delta })) };
  }

  async function check() {
    if (!snapshot || checking) return;
    clearFieldErrors();
    clearResult(); // the last result is about other numbers
    const yours = readFields();
    if (!yours) return;
    if (Object.keys(yours).length === 0) {
      const note = element('p', 'check-verdict', 'Paste what print(nabla_b) or print(nabla_w) printed, or both.');
      note.dataset.verdict = 'nothing_pasted';
      summary.append(note);
      return;
    }
    const taken = snapshot;
    const examples = { model: taken.model, inputs: [taken.x], labels: [taken.y] };
    checking = true;
    checkButton.setAttribute('aria-busy', 'true');
    summary.append(element('p', 'card-note', 'Checking…'));
    try {
      const [report, exact] = await Promise.all([
        postJson('api/check', { ...examples, yours: withDeltas(yours) }), postJson('api/backprop', examples)]);
      if (taken !== snapshot) return; // a new snapshot came meanwhile: these numbers are about the old one
      clearResult();
      if (report.status === 422) return showRefusal(report.body?.detail?.[0]);
      if (report.status !== 200 || exact.status !== 200) {
        return showProblem(`The server could not check them (HTTP ${report.status === 200 ? exact.status : report.status}).`);
      }
      showReport(report.body, exact.body, yours);
    } catch {
      clearResult();
      showProblem('The server could not be reached.');
    } finally {
      checking = false;
      checkButton.setAttribute('aria-busy', 'false');
    }
  }

  /** A 422: beside the field it is about (`yours.nabla_w.1`; δ sent from nabla_b: `yours.layers.1.delta`),
   * else in the result. */
  function showRefusal(detail) {
    const field = (detail?.field ?? '').replace(/^yours\.layers\.(\d+)\.delta$/, 'yours.nabla_b.$1');
    const nabla = NABLAS.find((name) => field === `yours.${name}` || field.startsWith(`yours.${name}.`));
    if (nabla) showFieldError(nabla, detail.msg, { field });
    else showProblem(detail?.msg ?? 'The server refused these numbers.', field);
  }

  function showProblem(text, field = '') {
    const note = element('p', 'check-verdict bad', text);
    note.dataset.verdict = 'refused';
    if (field) note.dataset.field = field;
    summary.replaceChildren(note);
  }

  function showReport(report, exact, yours) {
    const verdict = element('p', `check-verdict ${report.matches ? 'ok' : 'bad'}`);
    if (report.matches) {
      verdict.dataset.verdict = 'matches';
      verdict.textContent = '✓ Everything matches: your numbers are backprop’s.';
    } else {
      const first = report.first_mismatch;
      const name = NABLA_OF[first.quantity] ?? first.quantity;
      verdict.dataset.verdict = 'differs';
      verdict.dataset.equation = first.equation;
      verdict.dataset.layer = String(first.layer);
      verdict.textContent = `✗ Your first wrong numbers: ${first.layer === null ? name : `${name}[${first.layer}]`} ` +
        `(${EQUATIONS[first.equation] ?? first.equation}), off by up to ${formatNumber(first.max_abs_difference, 3)} ` +
        `(yours ${formatNumber(first.yours, 6)}, exact ${formatNumber(first.expected, 6)}).`;
    }
    summary.append(verdict);
    if (report.diagnosis.length) {
      summary.append(element('p', 'check-lead', 'The classic mistake that gives your numbers:'), mistakeList(report.diagnosis));
    } else if (report.first_mismatch_mistakes.length) {
      summary.append(
        element('p', 'check-lead', 'Your first wrong equation gives the numbers of:'),
        mistakeList(report.first_mismatch_mistakes),
        element('p', 'card-note', 'Later numbers differ too: fix this one, then check again.'));
    } else if (!report.matches) {
      const unknown = element('p', 'check-lead', 'No mistake the lab knows gives these numbers.');
      unknown.dataset.verdict = 'unknown_mistake';
      summary.append(unknown);
    }
    if (report.layout_notes.length) {
      const notes = element('ul', 'check-notes');
      for (const id of report.layout_notes) {
        const item = element('li', '', LAYOUT_NOTES[id] ?? id);
        item.dataset.note = id;
        notes.append(item);
      }
      summary.append(notes);
    }
    for (const nabla of NABLAS) {
      (yours[nabla] ?? []).forEach((given, l) => {
        const truth = exact.layers[l]?.[EXACT_OF[nabla]];
        // marked the way the server read it (a square ∂C/∂W may have been read transposed)
        const read = report.quantities.find((q) => q.quantity === EXACT_OF[nabla] && q.layer === l && q.call === 1);
        if (truth) entries.append(entryTable(`${nabla}[${l}]`, given, truth, report.tolerance, read?.transposed));
      });
    }
    if (entries.childElementCount) entries.tabIndex = 0; // it scrolls sideways when wide: reachable by keyboard
  }

  function mistakeList(mistakes) {
    const list = element('ul', 'check-mistakes');
    for (const mistake of mistakes) {
      const item = element('li');
      item.dataset.mistake = mistake.id;
      item.append(element('strong', '', mistake.title), element('p', '', mistake.sentence),
        element('p', 'fix', `Fix: ${mistake.fix}`));
      list.append(item);
    }
    return list;
  }

  /** One array: each entry yours (✓ or ✗) with the exact one under it, in Nielsen's layout. */
  function entryTable(name, given, truth, tolerance, transposed = false) {
    const marked = markEntries(given, truth, tolerance, transposed);
    const wrap = element('div', 'check-table-wrap');
    if (!marked) {
      wrap.append(element('p', 'card-note', `${name}: the shape does not fit this network.`));
      return wrap;
    }
    const all = marked.flat();
    const differing = all.filter((entry) => !entry.matches).length;
    const table = element('table', 'check-table');
    table.dataset.array = name;
    const rowsShown = Math.max(1, Math.floor(MAX_ENTRIES_SHOWN / marked[0].length));
    const shownNote = rowsShown < marked.length ? ` (the first ${rowsShown} of ${marked.length} rows shown)` : '';
    table.append(element('caption', differing ? 'bad' : 'ok', `${name}: ` + (differing
      ? `✗ ${differing} of ${all.length} differ`
      : `✓ all ${all.length} match`) + shownNote));
    for (const row of marked.slice(0, rowsShown)) {
      const tr = element('tr');
      for (const entry of row) {
        const td = element('td', entry.matches ? 'match' : 'differs');
        td.dataset.match = String(entry.matches);
        td.append(element('span', 'mark', entry.matches ? '✓' : '✗'), ' ',
          element('span', 'yours', formatNumber(entry.yours, 6)),
          element('span', 'exact', `exact ${formatNumber(entry.exact, 6)}`));
        tr.append(td);
      }
      table.append(tr);
    }
    wrap.append(table);
    return wrap;
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
