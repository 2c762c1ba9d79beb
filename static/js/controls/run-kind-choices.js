// The output layers to train, one checkbox per run kind in hello.run_kinds, each with its δᴸ rule.

import { element } from '../lib/dom.js';
import { kindInfo } from '../run-kinds.js';
import { labelledInput } from './labelled-input.js';

export function writeRunKinds(box, runKinds) {
  box.replaceChildren(...Object.entries(runKinds).map(([kind, info]) => {
    const row = element('div', `run-kind${info.mistake ? ' mistake' : ''}`);
    row.style.setProperty('--run-color', kindInfo(kind).color); // hello.run_kinds, learnt with this `hello`
    const formula = element('span', 'formula',
      `δᴸ = ${info.delta_formula}${info.mistake ? ' (kept to compare with the right rule)' : ''}`);
    const { input, label } = labelledInput({ id: `kind-${kind}`, name: 'runs', type: 'checkbox', label: info.label,
      description: formula, suffix: 'formula' });
    input.value = kind;
    row.append(input, label, formula);
    return row;
  }));
}

export function checkRunKinds(box, kinds) {
  for (const input of box.querySelectorAll('input')) input.checked = kinds.includes(input.value);
}

export function checkedRunKinds(box) {
  return [...box.querySelectorAll('input')].filter((input) => input.checked).map((input) => input.value);
}
