// An input of the settings form with its label and the line that describes it, tied together by ids.

import { element } from '../lib/dom.js';

/** `description` is the element that describes the input (a hint, a formula): it gets the id `${id}-${suffix}`. */
export function labelledInput({ id, name = id, type, label, description, suffix = 'hint' }) {
  const input = element('input');
  input.type = type;
  input.id = id;
  input.name = name;
  description.id = `${id}-${suffix}`;
  input.setAttribute('aria-describedby', description.id);
  const labelNode = element('label', '', label);
  labelNode.htmlFor = id;
  return { input, label: labelNode };
}
