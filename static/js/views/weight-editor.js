// The chosen link of the network drawing: w_jk of one weight layer with its gradient, and a field that sets it
// live (`set_weight`). The drawing chooses the link; this form reads and edits it. The readout changes with every
// frame, so it is not a live region: a screen reader hears the chosen link from the link's own label when it takes
// focus, and "Sent." from the status beside the button.

import { element } from '../lib/dom.js';
import { formatNumber } from '../lib/format.js';

// Why no weight is shown, by id (the readout's data-state).
const NO_LINK = {
  'none-chosen': 'Choose a link (click it, or Tab to the drawing and use the arrow keys) to read and edit its weight.',
  'not-streamed': 'This network is too large for its weights to be streamed (see the note above): its links cannot be ' +
    'read or edited here.',
  waiting: 'The weights come with the next streamed frame.',
};

export function createWeightEditor({ container, onSet }) {
  const readout = element('p', 'weight-readout');
  const form = element('form', 'weight-form');
  const label = element('label', '', 'new value ');
  const input = element('input');
  Object.assign(input, { type: 'number', step: 'any', id: 'weight-value', required: true });
  label.append(input);
  const submit = element('button', '', 'Set weight');
  submit.type = 'submit';
  const status = element('span', 'weight-status');
  status.setAttribute('role', 'status');
  form.append(label, ' ', submit, ' ', status);
  container.replaceChildren(readout, form);
  form.hidden = true;
  let chosen = null; // { run, layer, j, k, value, gradient }
  let maxAbs = Infinity;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = Number(input.value);
    if (!chosen || input.value.trim() === '' || !Number.isFinite(value) || Math.abs(value) > maxAbs) {
      status.textContent = `A number between −${maxAbs} and ${maxAbs}, please.`;
      return;
    }
    const { run, layer, j, k } = chosen;
    status.textContent = onSet({ type: 'set_weight', run, layer, j, k, value }) ? 'Sent.' : 'Not connected.';
  });

  return {
    input,
    /** No link to edit, and why (NO_LINK's ids): none chosen yet, or no weights to read. */
    showNone(reason) {
      chosen = null;
      form.hidden = true;
      if (readout.dataset.state === reason) return;
      readout.dataset.state = reason;
      readout.textContent = NO_LINK[reason];
    },
    /** Show this link; the field keeps what the learner is typing. */
    show(link, bound) {
      maxAbs = bound ?? Infinity;
      input.min = String(-maxAbs);
      input.max = String(maxAbs);
      const changed = !chosen || ['run', 'layer', 'j', 'k'].some((key) => chosen[key] !== link[key]);
      chosen = link;
      form.hidden = false;
      readout.dataset.state = 'chosen';
      const { layer, j, k, value, gradient } = link;
      readout.textContent = `W[${layer}][${j}][${k}], from unit ${k + 1} of layer ${layer} to unit ${j + 1} of ` +
        `layer ${layer + 1}: w = ${formatNumber(value, 4)}, ∂C/∂w = ${formatNumber(gradient, 4)}`;
      readout.dataset.value = String(value);
      readout.dataset.gradient = String(gradient);
      if (changed) status.textContent = '';
      if (changed || document.activeElement !== input) input.value = String(value);
    },
  };
}
