// The chosen dataset's own parameters as form fields (from hello.datasets[].params), and their values read back.

import { element } from '../lib/dom.js';
import { formatNumber } from '../lib/format.js';
import { labelledInput } from './labelled-input.js';

function paramField(param, value) {
  const hint = element('p', 'hint');
  const { input, label } = labelledInput({ id: `param-${param.name}`, type: param.kind === 'bool' ? 'checkbox' : 'number',
    label: param.name, description: hint });
  input.dataset.param = param.name;
  const wrapper = element('div', param.kind === 'bool' ? 'field check' : 'field inline');
  wrapper.dataset.field = `dataset.params.${param.name}`;
  const error = element('p', 'field-error');
  error.setAttribute('role', 'alert');
  if (param.kind === 'bool') {
    input.checked = value === true || value === 'true';
    hint.textContent = param.description;
    wrapper.append(input, label, hint, error);
    return wrapper;
  }
  input.step = param.kind === 'int' ? '1' : 'any';
  input.inputMode = param.kind === 'int' ? 'numeric' : 'decimal';
  if (param.min !== null) input.min = param.min;
  if (param.max !== null) input.max = param.max;
  input.value = value;
  const bounds = param.min !== null && param.max !== null ? ` (${formatNumber(param.min)} to ${formatNumber(param.max)})` : '';
  hint.textContent = param.description + bounds;
  wrapper.append(label, input, hint, error);
  return wrapper;
}

/** The dataset's parameter fields in `box`, showing `values` (a link's or the form's), else each default. */
export function writeParams(box, dataset, values) {
  box.replaceChildren(...(dataset?.params ?? []).map((param) => paramField(param, values[param.name] ?? param.default)));
}

/** The parameters as the settings hold them: text, "true"/"false" for a checkbox. */
export function readParams(box) {
  const params = {};
  for (const input of box.querySelectorAll('input')) {
    params[input.dataset.param] = input.type === 'checkbox' ? String(input.checked) : input.value;
  }
  return params;
}
