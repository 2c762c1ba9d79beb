// A run's name in its colour, as every per-run view labels its chart or card; a mistake run's mark is dashed,
// and `data-mistake` names its mistake.

import { element } from '../lib/dom.js';

export function runName(run, tag = 'span') {
  const name = element(tag, run.mistake ? 'run-name mistake' : 'run-name', run.name);
  name.style.setProperty('--run-color', run.color);
  if (run.mistake) name.dataset.mistake = run.mistake;
  return name;
}
