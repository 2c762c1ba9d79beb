// The input features of points in the plane (hello.features) as checkboxes: the ticked ones feed the network, in
// menu order. No choice (null) is the points themselves, shown as X₁ and X₂ ticked; ticking just those is the same.

import { element } from '../lib/dom.js';

const RAW = ['x1', 'x2'];

export function writeFeatureChoices(box, features) {
  box.replaceChildren(...features.map((feature) => {
    const label = element('label', 'feature-choice');
    const input = element('input');
    input.type = 'checkbox';
    input.name = 'features';
    input.value = feature.id;
    input.title = feature.description;
    label.append(input, ` ${feature.label}`);
    return label;
  }));
}

/** Tick the chosen features, and show the group only for points in the plane. */
export function showFeatures(section, box, twoD, chosen) {
  section.hidden = !twoD || section.dataset.classroom === 'hidden'; // a classroom link's hiding outlasts a new dataset
  section.dataset.inPlane = String(twoD); // what checkedFeatures reads: a classroom link may hide the group too
  const ticked = chosen ?? RAW;
  for (const input of box.querySelectorAll('input')) input.checked = ticked.includes(input.value);
}

/** The ticked features: null for the points themselves (X₁ and X₂ only, or a set not in the plane). */
export function checkedFeatures(section, box) {
  if (section.dataset.inPlane !== 'true') return null;
  const ticked = [...box.querySelectorAll('input:checked')].map((input) => input.value);
  return ticked.join() === RAW.join() ? null : ticked;
}
