// Server and form errors, shown next to the control they are about (by the error's `field`, e.g.
// "dataset.params.eps"), or in the general error area when no control matches.
// state.errors: field (or '' when none) -> { message, note }; `note` says what became of the edit.

import { element } from '../lib/dom.js';

export function fieldElementFor(field, root = document) {
  if (!field) return null;
  const fields = [...root.querySelectorAll('[data-field]')];
  // The exact field, else the closest enclosing one: "runs.0.kind" belongs to "runs".
  let best = null;
  for (const element of fields) {
    const name = element.dataset.field;
    if ((field === name || field.startsWith(name + '.')) && (!best || name.length > best.dataset.field.length)) best = element;
  }
  return best;
}

/** The error's words, and its note on a line of its own. */
function errorText(slot, { message, note }) {
  if (slot.childNodes.length) slot.append(' ');
  slot.append(element('span', 'error-message', message));
  if (note) {
    const line = element('span', 'error-note', note);
    line.style.display = 'block';
    slot.append(line);
  }
}

export function createErrorsView({ general, root = document }) {
  let seen = -1;
  return {
    draw(state) {
      if (seen === state.rev.errors) return;
      seen = state.rev.errors;
      for (const placed of root.querySelectorAll('[data-field].has-error')) {
        placed.classList.remove('has-error');
        placed.querySelector('.field-error').replaceChildren();
        for (const input of placed.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
      }
      general.replaceChildren();
      for (const [field, error] of Object.entries(state.errors)) {
        const placed = fieldElementFor(field, root);
        if (!placed) {
          // Away from its control, the error names the field it is about.
          errorText(general, { ...error, message: field ? `${field}: ${error.message}` : error.message });
          continue;
        }
        placed.classList.add('has-error');
        errorText(placed.querySelector('.field-error'), error);
        for (const input of placed.querySelectorAll('input, select')) input.setAttribute('aria-invalid', 'true');
      }
      general.hidden = general.childNodes.length === 0;
    },
  };
}
