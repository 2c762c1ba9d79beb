// View 6: the four backprop equations, then each run's δᴸ card (math/delta-cards.js), each example's own
// output-layer gradients (math/per-example-gradients.js) and the gradient check (math/gradient-check.js).

import { element } from '../lib/dom.js';
import { texBlock } from '../lib/tex.js';
import { createThrottle } from '../lib/throttle.js';
import { createDeltaCards } from './math/delta-cards.js';
import { createGradientCheck } from './math/gradient-check.js';
import { createPerExampleGradients } from './math/per-example-gradients.js';

const EQUATIONS = [
  ['BP1', String.raw`\delta^L = J^{\top}\,\nabla_{\!a} C,\qquad J = \frac{\partial a^L}{\partial z^L}`],
  ['', String.raw`\text{sigmoid: } J = \operatorname{diag}\sigma'(z^L) \;\Rightarrow\; \delta^L = \nabla_{\!a} C \odot \sigma'(z^L)`],
  ['BP2', String.raw`\delta^l = \big((W^{l+1})^{\top} \delta^{l+1}\big) \odot \sigma'(z^l)`],
  ['BP3', String.raw`\dfrac{\partial C}{\partial b^l} = \delta^l`],
  ['BP4', String.raw`\dfrac{\partial C}{\partial W^l} = \delta^l \,(a^{l-1})^{\top}`],
];

function equations() {
  const box = element('div', 'equations');
  box.setAttribute('aria-label', 'The four equations of backpropagation');
  for (const [name, tex] of EQUATIONS) {
    const row = element('div', 'equation');
    row.append(element('span', 'equation-name', name), texBlock(tex));
    box.append(row);
  }
  return box;
}

export function createMathPanel({ container, sendGradcheck, requestDraw }) {
  let seen = { config: -1, frame: -1, events: -1 };
  let parts = null; // the sections of the configured experiment, and whether one asked to be drawn again
  const throttle = createThrottle(requestDraw, () => { parts.dirty = true; });

  function build(state) {
    const intro = element('p', 'card-note',
      'Only BP1 depends on the output layer: σ′(z) is replaced by the output activation’s Jacobian J, and the ' +
      'loss’s ∇ₐC. Here is δᴸ for each run, with the selected example’s numbers.');
    const sections = [
      createDeltaCards(state),
      createPerExampleGradients(state, () => {
        parts.dirty = true;
        requestDraw();
      }),
      createGradientCheck(sendGradcheck),
    ];
    container.replaceChildren(equations(), intro, ...sections.map((section) => section.element));
    parts = { sections, dirty: false };
  }

  return {
    draw(state) {
      if (!state.configured || !state.frame) return;
      const rebuilt = seen.config !== state.rev.config || !parts;
      if (rebuilt) build(state);
      else if (seen.frame === state.rev.frame && seen.events === state.rev.events && !parts.dirty) return;
      if (rebuilt) throttle.drawn();
      else if (throttle.tooSoon()) return;
      parts.dirty = false;
      seen = { config: state.rev.config, frame: state.rev.frame, events: state.rev.events };
      for (const section of parts.sections) section.draw(state);
    },
    canvases: () => [],
  };
}
