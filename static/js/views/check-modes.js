// The two things "Check my numbers" checks, with what differs between them: the code to paste, the fields read
// back, and the requests that check them. "example": one example's nabla_b and nabla_w from the learner's
// backprop. "step": their weights after one update_mini_batch on the run's first examples, which is where the
// examples' gradients are combined and applied (examples_mixed, sum_not_mean, stale_output_weights).

import { nielsenSnippet, stepSnippet } from '../lib/nielsen-snippet.js';
import { stepBatch, stepGradients } from '../lib/step-gradient.js';

const EXAMPLE_FIELDS = { nabla_b: 'grad_b', nabla_w: 'grad_W' }; // field → the quantity of /api/backprop's answer

/**
 * For one example, nabla_b[l] is also that example's δˡ: sent as δ too, a wrong δᴸ is found where it enters
 * (BP1, BP2), not first where it reaches ∂C/∂b (BP3). An all-zero nabla_b says nothing about δ (that is
 * bias_gradient_missing), so then it is not sent as δ (the CLI's rule too, app/check/learner_code.py).
 */
function withDeltas(pasted) {
  const nablaB = pasted.nabla_b;
  if (!nablaB || nablaB.flat(Infinity).every((v) => v === 0)) return pasted;
  return { ...pasted, layers: nablaB.map((delta) => ({ delta })) };
}

/** Each pasted list's arrays, named for the tables: { name, given, quantity, layer }. */
const arraysOf = (lists, quantityOf) => Object.entries(lists).flatMap(([field, arrays]) =>
  arrays.map((given, layer) => ({ name: `${field}[${layer}]`, given, quantity: quantityOf[field], layer })));

export const EXAMPLE_MODE = {
  id: 'example',
  fields: Object.keys(EXAMPLE_FIELDS),
  nothingPasted: 'Paste what print(nabla_b) or print(nabla_w) printed, or both.',
  matchesText: '✓ Everything matches: your numbers are backprop’s.',
  nameOf: { grad_b: 'nabla_b', grad_W: 'nabla_w' },
  snippet: (snapshot, caption) => nielsenSnippet({ ...snapshot, caption }),
  what: (snapshot) => `example ${snapshot.example}`,

  /** The bodies to send for the pasted arrays (by field), and the arrays to mark. */
  requests(snapshot, pasted) {
    const examples = { model: snapshot.model, inputs: [snapshot.x], labels: [snapshot.y] };
    return { check: { ...examples, yours: withDeltas(pasted) }, backprop: examples,
      arrays: arraysOf(pasted, EXAMPLE_FIELDS) };
  },

  /** Which pasted field a 422's `field` is about, and where in it (δ was sent from nabla_b); null if none. */
  refused(field) {
    const path = field.replace(/^yours\.layers\.(\d+)\.delta$/, 'yours.nabla_b.$1');
    const name = this.fields.find((f) => path === `yours.${f}` || path.startsWith(`yours.${f}.`));
    return name ? { name, path } : null;
  },
};

const STEP_QUANTITIES = { weights: 'grad_W', biases: 'grad_b' };

export const STEP_MODE = {
  id: 'step',
  fields: Object.keys(STEP_QUANTITIES),
  nothingPasted: 'Paste what print(net.weights) or print(net.biases) printed after the step, or both.',
  matchesText: '✓ Your step is right: every weight and bias moved by η times the mean gradient.',
  nameOf: { grad_W: 'weights', grad_b: 'biases' },
  entriesNote: 'Each entry is your step divided by η, (before − after) / η: the gradient you applied, beside the ' +
    'exact mean gradient over the examples.',
  snippet: (snapshot, caption) => stepSnippet({ ...snapshot, ...stepBatch(snapshot), caption }),
  what(snapshot) {
    const { inputs, total } = stepBatch(snapshot);
    return `${total > inputs.length ? `the first ${inputs.length} of its ${total}` : `its ${total}`} examples, ` +
      `η = ${snapshot.eta}`;
  },

  /**
   * The gradient the learner applied, sent as the engine's layers[l].grad_W (n_out, n_in) and grad_b: read one
   * way only, whatever the shapes. Several examples' ∂C/∂b is an average, not a δ, so nothing goes as δ.
   * `unchanged` when their weights are the ones before the step. Throws StepShapeError.
   */
  requests(snapshot, pasted) {
    const { inputs, labels } = stepBatch(snapshot);
    const found = stepGradients(snapshot.model, pasted, snapshot.eta);
    if (found.unchanged) return { unchanged: true };
    const lists = {};
    if (found.grad_W) lists.weights = found.grad_W;
    if (found.grad_b) lists.biases = found.grad_b;
    const layers = snapshot.model.W.map((_, l) => Object.fromEntries(
      Object.entries(lists).map(([field, arrays]) => [STEP_QUANTITIES[field], arrays[l]])));
    const examples = { model: snapshot.model, inputs, labels };
    return { check: { ...examples, learning_rate: snapshot.eta, yours: { layers } }, backprop: examples,
      arrays: arraysOf(lists, STEP_QUANTITIES) };
  },

  refused(field) {
    const quantity = field.match(/^yours\.layers\.\d+\.(grad_W|grad_b)$/)?.[1];
    const name = this.fields.find((f) => STEP_QUANTITIES[f] === quantity);
    return name ? { name, path: field } : null;
  },
};

export const CHECK_MODES = { example: EXAMPLE_MODE, step: STEP_MODE };
