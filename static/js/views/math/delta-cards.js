// The math panel's per-run cards: each run's δᴸ rule, then the selected example's a, y and δᴸ plugged in, and the
// output Jacobian J = ∂a/∂z that turns ∇ₐC into δᴸ. Everything the math panel shows per run lives here.

import { element } from '../../lib/dom.js';
import { texBlock, texColumnVector, texMatrix, texRowVector } from '../../lib/tex.js';
import { runsOf } from '../../run-kinds.js';
import { runName } from '../run-name.js';

const MAX_OUTPUTS_AS_COLUMNS = 4; // more outputs than this: vectors as rows, in wider cards

/** The TeX lines of run `r`'s numbers; an array is one row whose terms wrap between, never inside. */
function numbersOf(state, r) {
  const { configured, frame } = state;
  const run = frame.runs[r];
  const e = run.output.example;
  const a = run.outputs[e];
  const y = configured.labels[e];
  const delta = run.output.delta[e];
  if (!a || !delta) return [String.raw`\text{example ${e} is past the first ${run.outputs.length} examples a frame carries}`];
  // A few outputs read best as columns side by side; many, as rows one under the other.
  const columns = a.length <= MAX_OUTPUTS_AS_COLUMNS;
  const vector = columns ? texColumnVector : texRowVector;
  const terms = [String.raw`a = ${vector(a)}`, String.raw`y = ${vector(y)}`, String.raw`\delta^L = ${vector(delta)}`];
  const lines = columns ? [terms] : terms;
  if (run.output.delta_correct) lines.push(String.raw`\text{right rule: } J^{\top}(a-y) = ${vector(run.output.delta_correct[e])}`);
  lines.push(String.raw`J = \frac{\partial a}{\partial z} = ${texMatrix(run.output.jacobian, a.length > 2 ? 2 : 3)}`);
  return lines;
}

/** Beside the mistake: with two classes it is exactly half the right δᴸ, which is why it still learns. */
function mistakeNote(state, r) {
  if (!state.frame.runs[r].output.delta_correct) return null;
  return element('p', 'why', state.configured.class_names.length === 2
    ? 'With two classes it comes out exactly half the right δᴸ (compare the two lines), so this run still ' +
      'learns, only more slowly. With three or more classes the two point in different directions.'
    : 'With three or more classes it points in a different direction from the right δᴸ: compare the two lines.');
}

/** What a mistake run's card says first: which equation is wrong, what the learner did, and the fix. */
function mistakeLines(run) {
  const mistake = run.mistakeInfo ?? { id: run.mistake };
  const wrong = element('p', 'wrong', `✗ ${mistake.equation ?? 'A mistake'} is wrong: ${mistake.title ?? run.mistake}`);
  wrong.dataset.equation = mistake.equation ?? '';
  wrong.dataset.mistake = mistake.id;
  const lines = [wrong];
  if (mistake.sentence) lines.push(element('p', 'why', mistake.sentence));
  if (mistake.fix) lines.push(element('p', 'why mistake-fix', `Fix: ${mistake.fix}`));
  return lines;
}

/** One line of numbers: a formula, or a row of them whose terms wrap between, never inside. */
function lineNode(line) {
  if (line.length === 1) return texBlock(line[0], 'tex number');
  const row = element('div', 'tex-row');
  row.append(...line.map((tex) => texBlock(tex, 'tex number')));
  return row;
}

/** The cards of the configured runs: `element` to place, `draw(state)` for the latest frame's numbers. */
export function createDeltaCards(state) {
  // Many outputs are shown as rows and a wide Jacobian: give each card the panel's width (style.css).
  const manyOutputs = state.configured.class_names.length > MAX_OUTPUTS_AS_COLUMNS;
  const cards = element('div', manyOutputs ? 'delta-cards many-outputs' : 'delta-cards');
  const numbersBoxes = runsOf(state.configured).map((run) => {
    const card = element('article', `delta-card${run.mistake ? ' mistake' : ''}`);
    card.append(runName(run, 'h3'));
    const numbers = element('div', 'numbers');
    if (run.mistake) card.append(...mistakeLines(run));
    // δᴸ's rule where it is the right one, or where the mistake is in it (BP1); elsewhere the rule is the right
    // run's, on its own card, and showing it here would suggest the mistake is in δᴸ.
    if (!run.mistake || run.mistakeInfo?.equation === 'BP1') card.append(texBlock(run.deltaTex));
    if (run.why) card.append(element('p', 'why', run.why));
    card.append(numbers);
    cards.append(card);
    return numbers;
  });

  // Per card, the TeX of each line shown: KaTeX typesets a line again only when its numbers changed.
  const shownLines = numbersBoxes.map(() => []);
  let waiting = []; // the cards still to bring up to date, one per drawing (one task for all five took > 50 ms)

  /** Brings one card up to date (`all`: every card); true while others wait for the next drawing. */
  function draw(current, all = false) {
    if (all) waiting = [];
    for (const r of all ? numbersBoxes.keys() : []) drawCard(current, r);
    if (all) return false;
    if (waiting.length === 0) waiting = numbersBoxes.map((_, r) => r);
    drawCard(current, waiting.shift());
    return waiting.length > 0;
  }

  function drawCard(current, r) {
    const numbers = numbersBoxes[r];
    const lines = numbersOf(current, r).map((line) => (Array.isArray(line) ? line : [line]));
    const shown = shownLines[r];
    const keys = lines.map((line) => line.join('\n'));
    if (keys.length !== shown.length) {
      numbers.replaceChildren(...lines.map(lineNode));
      const note = mistakeNote(current, r);
      if (note) numbers.append(note);
    } else {
      keys.forEach((key, i) => {
        if (key !== shown[i]) numbers.children[i].replaceWith(lineNode(lines[i]));
      });
    }
    shownLines[r] = keys;
  }

  return { element: cards, draw };
}
