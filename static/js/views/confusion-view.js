// The confusion matrix of one run: how many examples of each true class (rows) the run names as each class
// (columns), of the test part when there is one, else of the training part. The server recomputes it a few times a
// second (frames' `confusion`); the table is rewritten only when its counts change.

import { element } from '../lib/dom.js';
import { hasTestPart } from '../lib/labels.js';
import { runsOf } from '../run-kinds.js';
import { fillRunMenu } from './run-menu.js';

/** The class names a table shows: the data's, or "class 0", "class 1", … for sets without names. */
export function classLabels(classNames, count) {
  return Array.from({ length: count }, (_, c) => classNames?.[c] ?? `class ${c}`);
}

/** A <table> of counts[true][predicted], with a caption and row and column headers; the diagonal is marked right. */
export function confusionTable(counts, names, caption) {
  const table = element('table', 'confusion');
  table.append(element('caption', '', caption));
  const largest = Math.max(1, ...counts.flat());
  const head = element('tr');
  head.append(element('td', 'corner'));
  for (const name of names) {
    const th = element('th', '', name);
    th.setAttribute('scope', 'col');
    head.append(th);
  }
  const body = element('tbody');
  counts.forEach((row, t) => {
    const tr = element('tr');
    const th = element('th', '', names[t]);
    th.setAttribute('scope', 'row');
    tr.append(th);
    row.forEach((count, p) => {
      const cell = element('td', p === t ? 'right' : 'wrong', String(count));
      cell.style.setProperty('--share', (count / largest).toFixed(3));
      tr.append(cell);
    });
    body.append(tr);
  });
  const thead = element('thead');
  thead.append(head);
  table.append(thead, body);
  return table;
}

export function createConfusionView({ container, runSelect, note, requestDraw }) {
  let seen = { config: -1, frame: -1, run: null };
  let shown = null; // the counts drawn, as JSON

  runSelect.addEventListener('change', requestDraw);

  function build(state) {
    fillRunMenu(runSelect, runsOf(state.configured));
    shown = null;
    container.replaceChildren();
  }

  return {
    element: container,
    draw(state) {
      if (!state.configured) return;
      const { rev } = state;
      if (seen.config !== rev.config) build(state);
      else if (seen.frame === rev.frame && seen.run === runSelect.value) return;
      seen = { config: rev.config, frame: rev.frame, run: runSelect.value };
      const run = runsOf(state.configured).find((r) => r.id === runSelect.value);
      const counts = state.frame?.runs.find((r) => r.id === runSelect.value)?.confusion ?? null;
      const tested = hasTestPart(state.configured);
      const part = tested ? 'test' : 'training';
      note.textContent = counts ? `Rows: the true class; columns: the class the run names (its largest output). `
        + `Of the ${part} examples, recounted a few times a second.`
        : state.configured.task === 'regression' ? 'A regression set has no classes to confuse.'
          : 'No confusion matrix for this dataset (it has too many classes).';
      const key = JSON.stringify(counts);
      if (key === shown) return;
      shown = key;
      const names = classLabels(state.configured.class_names, counts?.length ?? 0);
      container.replaceChildren(...(counts && run ? [confusionTable(counts, names, `${run.name}: ${part} examples`)] : []));
    },
  };
}
