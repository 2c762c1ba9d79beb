// The runs to train, from hello.run_kinds: one group per output layer + loss, its right run first, then that
// pairing's mistakes folded under it. Choosing a mistake also chooses the right run beside it, to compare.

import { element } from '../lib/dom.js';
import { fitsTask, groupRunKinds, kindInfo, kindsForTask } from '../run-kinds.js';
import { labelledInput } from './labelled-input.js';

/** What a mistake's row says under its name: its wrong δᴸ where BP1 is the wrong equation, else the equation. */
function describe(kind, info) {
  const mistake = kindInfo(kind).mistakeInfo;
  if (!mistake) return `δᴸ = ${info.delta_formula}`;
  return mistake.equation === 'BP1' ? `δᴸ = ${info.delta_formula}` : `wrong: ${mistake.equation}`;
}

function row(kind, info, label) {
  const node = element('div', `run-kind${info.mistake ? ' mistake' : ''}`);
  node.style.setProperty('--run-color', kindInfo(kind).color); // hello.run_kinds, learnt with this `hello`
  if (info.mistake) node.dataset.mistake = info.mistake;
  const formula = element('span', 'formula', describe(kind, info));
  const { input, label: labelNode } = labelledInput({ id: `kind-${kind}`, name: 'runs', type: 'checkbox', label,
    description: formula, suffix: 'formula' });
  input.value = kind;
  node.append(input, labelNode, formula);
  return node;
}

function group({ kind, info, mistakes }) {
  const box = element('div', 'run-pairing');
  box.dataset.pairing = kind;
  box.append(row(kind, info, info.label));
  if (mistakes.length) {
    const folded = element('details', 'run-mistakes');
    folded.append(element('summary', '', `${info.label}: mistakes to compare (${mistakes.length})`),
      ...mistakes.map(([mistakeKind, mistakeInfo]) => row(mistakeKind, mistakeInfo,
        `✗ ${kindInfo(mistakeKind).mistakeInfo?.title ?? mistakeInfo.label}`)));
    const note = element('p', 'run-kind-note');
    note.setAttribute('aria-live', 'polite');
    box.append(folded, note);
    box.addEventListener('change', (event) => {
      const chosen = event.target;
      note.textContent = '';
      delete note.dataset.added;
      if (chosen.value === kind || !chosen.checked) return;
      const right = box.querySelector(`#kind-${kind}`);
      if (right.checked) return;
      right.checked = true; // before the form reads the boxes: the form's listener runs after this one
      note.dataset.added = kind;
      note.textContent = `${info.label} added beside it, from the same starting weights.`;
    });
  }
  return box;
}

export function writeRunKinds(box, runKinds) {
  box.replaceChildren(...groupRunKinds(runKinds).map(group));
}

export function checkRunKinds(box, kinds) {
  for (const input of box.querySelectorAll('input')) input.checked = kinds.includes(input.value);
  // A chosen mistake stays in sight.
  for (const folded of box.querySelectorAll('details')) {
    if ([...folded.querySelectorAll('input')].some((input) => input.checked)) folded.setAttribute('open', '');
  }
}

/**
 * Offer only the kinds that fit the dataset's task (run-kinds.js, kindsForTask): the others are hidden and
 * unchecked, and when none that fits is left checked the first right kind that does is. True when the checked
 * kinds changed.
 */
export function fitRunKinds(box, runKinds, task) {
  const before = checkedRunKinds(box);
  for (const pairing of box.querySelectorAll('.run-pairing')) {
    pairing.hidden = !fitsTask(runKinds[pairing.dataset.pairing] ?? {}, task);
  }
  checkRunKinds(box, kindsForTask(before, runKinds, task));
  return checkedRunKinds(box).join() !== before.join();
}

export function checkedRunKinds(box) {
  return [...box.querySelectorAll('input')].filter((input) => input.checked).map((input) => input.value);
}
