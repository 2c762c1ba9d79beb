// View 6: the four backprop equations, then each run's δᴸ card (math/delta-cards.js), each example's own
// output-layer gradients (math/per-example-gradients.js) and the gradient check (math/gradient-check.js); or,
// switched to code, the NumPy lines of each equation (math/code-view.js).

import { element } from '../lib/dom.js';
import { texBlock } from '../lib/tex.js';
import { createThrottle } from '../lib/throttle.js';
import { createCodeView } from './math/code-view.js';
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

/** The equations; with regularisation, BP4 gains its term from `hello` (∂Ω/∂W, "+ λW" for L2). */
function equations(penalty) {
  const box = element('div', 'equations');
  box.setAttribute('aria-label', 'The four equations of backpropagation');
  for (const [name, tex] of EQUATIONS) {
    const row = element('div', 'equation');
    if (name === 'BP4' && penalty) row.dataset.regularization = penalty.label;
    row.append(element('span', 'equation-name', name), texBlock(name === 'BP4' && penalty ? `${tex} ${penalty.gradient_tex}` : tex));
    box.append(row);
  }
  return box;
}

export const VIEWS = ['math', 'code'];

/** `switchButtons`: a button per view (data-view), pressed for the one shown; `onViewChange` after a switch. */
export function createMathPanel({ container, sendGradcheck, requestDraw, switchButtons = [], onViewChange = () => {} }) {
  let seen = { config: -1, frame: -1, events: -1 };
  let parts = null; // the sections of the configured experiment, and whether one asked to be drawn again
  let view = 'math';
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
    const mathBox = element('div', 'math-view');
    const penalty = state.hello.regularizations?.[state.configured.config.regularization];
    mathBox.append(equations(penalty), intro, ...sections.map((section) => section.element));
    const code = createCodeView(state);
    container.replaceChildren(mathBox, code.element);
    parts = { sections, code, mathBox, dirty: false, continuing: false };
    show();
  }

  /** Show the chosen view, and say which one in the switch. */
  function show() {
    for (const button of switchButtons) button.setAttribute('aria-pressed', String(button.dataset.view === view));
    if (!parts) return;
    parts.mathBox.hidden = view !== 'math';
    parts.code.element.hidden = view !== 'code';
  }

  function setView(name) {
    view = VIEWS.includes(name) ? name : 'math';
    show();
    if (parts) parts.dirty = true;
    requestDraw();
  }

  for (const button of switchButtons) {
    button.addEventListener('click', () => {
      setView(button.dataset.view);
      onViewChange(view);
    });
  }

  return {
    element: container, // the render loop skips it while off screen
    view: () => view,
    setView,
    draw(state) {
      if (!state.configured || !state.frame) return;
      const rebuilt = seen.config !== state.rev.config || !parts;
      if (rebuilt) build(state);
      else if (seen.frame === state.rev.frame && seen.events === state.rev.events && !parts.dirty) return;
      if (rebuilt) throttle.drawn();
      else if (!parts.continuing && throttle.tooSoon()) return;
      parts.dirty = false;
      seen = { config: state.rev.config, frame: state.rev.frame, events: state.rev.events };
      if (view === 'code') {
        parts.code.draw(state);
        return;
      }
      // The δᴸ cards come up to date one per animation frame; the rest once per refresh.
      const [cards, ...rest] = parts.sections;
      if (!parts.continuing) for (const section of rest) section.draw(state);
      parts.continuing = cards.draw(state, rebuilt); // a new experiment shows every card at once
      if (parts.continuing) {
        parts.dirty = true;
        requestDraw();
      }
    },
    canvases: () => [],
  };
}
