// A run's name in its colour, as every per-run view labels its chart or card.

import { element } from '../lib/dom.js';

export function runName(run, tag = 'span') {
  const name = element(tag, 'run-name', run.name);
  name.style.setProperty('--run-color', run.color);
  return name;
}
