// Server and form errors, shown next to the control they are about (by the error's `field`, e.g.
// "dataset.params.eps"), or in the general error area when no control matches.

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

export function createErrorsView({ general }) {
  let seen = -1;
  return {
    draw(state) {
      if (seen === state.rev.errors) return;
      seen = state.rev.errors;
      for (const element of document.querySelectorAll('[data-field].has-error')) {
        element.classList.remove('has-error');
        element.querySelector('.field-error').textContent = '';
        for (const input of element.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
      }
      const unplaced = [];
      for (const [field, message] of Object.entries(state.errors)) {
        const element = fieldElementFor(field);
        if (!element) {
          unplaced.push(message);
          continue;
        }
        element.classList.add('has-error');
        const slot = element.querySelector('.field-error');
        // Beside its control, "configure: dataset.params.eps: eps must be…" reads better without the path.
        const plain = message.replace(/^[a-z_]+: [\w.]+: /, '');
        slot.textContent = slot.textContent ? `${slot.textContent} ${plain}` : plain;
        for (const input of element.querySelectorAll('input, select')) input.setAttribute('aria-invalid', 'true');
      }
      general.hidden = unplaced.length === 0;
      general.textContent = unplaced.join(' ');
    },
  };
}
