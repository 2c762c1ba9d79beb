// The gradient check: a button that asks the server, and its verdict per run and layer by the server's own rule
// (hello.gradcheck_rule), with the reason when the relative error alone looks bad.

import { button, element } from '../../lib/dom.js';
import { formatNumber, formatStep } from '../../lib/format.js';
import { NOT_MEANINGFUL } from '../../gradcheck-verdict.js';
import { runsOf } from '../../run-kinds.js';

/** One layer's verdict in words. */
function layerWords(layer, rule) {
  if (layer.verdict === 'not_meaningful') return { className: 'moot', text: NOT_MEANINGFUL };
  if (layer.verdict === 'wrong') return { className: 'bad', text: '✗ differs' };
  if (layer.relative_error > rule.relative_error) {
    return {
      className: 'ok',
      text: `✓ agrees: ${formatNumber(layer.relative_error, 2)} relative, but only ${formatNumber(layer.max_abs_difference, 2)} apart`,
    };
  }
  return { className: 'ok', text: '✓ agrees' };
}

export function createGradientCheck(sendGradcheck) {
  const section = element('section', 'gradcheck');
  const head = element('div', 'section-head');
  const check = button('Check the gradients', '', sendGradcheck);
  check.id = 'gradcheck';
  head.append(element('h3', '', 'Gradient check'), check);
  const body = element('div', 'gradcheck-body');
  body.append(element('p', 'card-note',
    'Compares backprop’s ∂C/∂W with central differences (C(w+h) − C(w−h)) / 2h at the current weights.'));
  section.append(head, body);

  let shown = []; // the events the table shows: it is built again only when another one arrives

  function draw(state) {
    const results = Object.values(state.gradcheck);
    if (results.length === 0) return;
    if (results.length === shown.length && results.every((event, i) => event === shown[i])) return;
    shown = results;
    const rule = state.hello.gradcheck_rule;
    const table = element('table', 'gradcheck-table');
    const titles = element('tr');
    for (const title of ['run', 'layer', 'relative error', 'largest difference', '']) titles.append(element('th', '', title));
    table.append(titles);
    const runs = runsOf(state.configured);
    const messages = element('ul', 'gradcheck-messages');
    for (const event of results) {
      const run = runs.find((r) => r.id === event.run);
      for (const layer of event.layers ?? []) {
        const words = layerWords(layer, rule);
        const tr = element('tr', words.className);
        tr.dataset.run = event.run;
        tr.append(
          element('td', '', run?.name ?? event.run),
          element('td', '', `W${layer.layer + 1}`),
          element('td', '', formatNumber(layer.relative_error, 2)),
          element('td', '', formatNumber(layer.max_abs_difference, 2)),
          element('td', 'verdict-text', words.text),
        );
        table.append(tr);
      }
      const item = element('li', '', `${event.headline}. ${event.detail}`);
      item.dataset.cause = event.cause;
      messages.append(item);
    }
    const ruleNote = element('p', 'card-note',
      `A layer differs when its relative error is above ${formatNumber(rule.relative_error, 1)} and its gradients are more ` +
      `than ${formatNumber(rule.max_abs_difference, 1)} apart (the server’s rule): where both gradients are about zero, ` +
      'the relative error alone means nothing.');
    body.replaceChildren(element('p', 'card-note', `At step ${formatStep(results[0].step)}:`), table, ruleNote, messages);
  }

  return { element: section, draw };
}
