// What "Check my numbers" shows for a POST /api/check report: the verdict with the first wrong equation, the
// mistakes that give the learner's numbers, the layout notes, and each array entry by entry beside the exact one.

import { element } from '../lib/dom.js';
import { markEntries } from '../lib/entry-marks.js';
import { formatNumber } from '../lib/format.js';

const MAX_ENTRIES_SHOWN = 300; // per array; a larger one shows its first rows (the caption counts them all)

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

/** The summary's nodes: `mode` names the quantities (`nameOf`) and says what a match means (`matchesText`). */
export function reportSummary(report, mode) {
  const verdict = element('p', `check-verdict ${report.matches ? 'ok' : 'bad'}`);
  if (report.matches) {
    verdict.dataset.verdict = 'matches';
    verdict.textContent = mode.matchesText;
  } else {
    const first = report.first_mismatch;
    const name = mode.nameOf[first.quantity] ?? first.quantity;
    verdict.dataset.verdict = 'differs';
    verdict.dataset.equation = first.equation;
    verdict.dataset.layer = String(first.layer);
    verdict.textContent = `✗ Your first wrong numbers: ${first.layer === null ? name : `${name}[${first.layer}]`} ` +
      `(${EQUATIONS[first.equation] ?? first.equation}), off by up to ${formatNumber(first.max_abs_difference, 3)} ` +
      `(yours ${formatNumber(first.yours, 6)}, exact ${formatNumber(first.expected, 6)}).`;
  }
  const nodes = [verdict];
  if (report.diagnosis.length) {
    nodes.push(element('p', 'check-lead', 'The classic mistake that gives your numbers:'), mistakeList(report.diagnosis));
  } else if (report.first_mismatch_mistakes.length) {
    nodes.push(
      element('p', 'check-lead', 'Your first wrong equation gives the numbers of:'),
      mistakeList(report.first_mismatch_mistakes),
      element('p', 'card-note', 'Later numbers differ too: fix this one, then check again.'));
  } else if (!report.matches) {
    const unknown = element('p', 'check-lead', 'No mistake the lab knows gives these numbers.');
    unknown.dataset.verdict = 'unknown_mistake';
    nodes.push(unknown);
  }
  if (report.layout_notes.length) {
    const notes = element('ul', 'check-notes');
    for (const id of report.layout_notes) {
      const item = element('li', '', LAYOUT_NOTES[id] ?? id);
      item.dataset.note = id;
      notes.append(item);
    }
    nodes.push(notes);
  }
  return nodes;
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

/**
 * One table per array the learner gave ({ name, given, quantity, layer }), each entry beside the exact one of
 * /api/backprop's answer, marked the way the server read it (a square ∂C/∂W may have been read transposed).
 */
export function entryTables(arrays, exact, report) {
  return arrays.flatMap(({ name, given, quantity, layer }) => {
    const truth = exact.layers[layer]?.[quantity];
    const read = report.quantities.find((q) => q.quantity === quantity && q.layer === layer && q.call === 1);
    return truth ? [entryTable(name, given, truth, report.tolerance, read?.transposed)] : [];
  });
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
