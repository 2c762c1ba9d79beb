// The gradient a learner's update_mini_batch applied, read from their weights after one step: the step is
// w − η·gradient, so (before − after) / η is the gradient. The same rule as the CLI's
// app/check/learner_code.py `update_numbers`.

export const STEP_EXAMPLES = 8; // the mini-batch the snippet gives: the run's first examples, at most this many

/** The mini-batch of a snapshot: its first STEP_EXAMPLES examples, and how many the run has. */
export function stepBatch({ inputs, labels }) {
  return { inputs: inputs.slice(0, STEP_EXAMPLES), labels: labels.slice(0, STEP_EXAMPLES), total: inputs.length };
}

/**
 * Pasted numbers that do not fit the network, by field (`weights`/`biases`): `reason` `layer_count` (`expected`
 * the number of layers) or `wrong_shape` (at `layer`, `expected` the shape that fits).
 */
export class StepShapeError extends Error {
  constructor(field, reason, expected, layer = null) {
    super(reason);
    this.field = field;
    this.reason = reason;
    this.expected = expected;
    this.layer = layer;
  }
}

const isNumbers = (row, n) => Array.isArray(row) && row.length === n && row.every((v) => typeof v === 'number');

/** A weight matrix exactly (n_out, n_in), as the snippet gave it; else null. */
function matrix(value, rows, cols) {
  return Array.isArray(value) && value.length === rows && value.every((row) => isNumbers(row, cols)) ? value : null;
}

/** A bias as the vector [n]: from Nielsen's column (n, 1), a row (1, n) or a flat list; else null. */
function vector(value, n) {
  if (isNumbers(value, n)) return value;
  if (Array.isArray(value) && value.length === n && value.every((row) => isNumbers(row, 1))) return value.map((r) => r[0]);
  if (Array.isArray(value) && value.length === 1 && isNumbers(value[0], n)) return value[0];
  return null;
}

function checkLayerCount(field, pasted, count) {
  if (!Array.isArray(pasted) || pasted.length !== count) throw new StepShapeError(field, 'layer_count', count);
}

/**
 * The gradients of one step: `model` the weights before (W[l] [n_out][n_in], b[l] [n_out]), `weights` and
 * `biases` what the learner printed after it (either may be absent), `eta` the rate they were given.
 * Returns { grad_W?, grad_b?, unchanged }; throws StepShapeError for an array that does not fit.
 */
export function stepGradients(model, { weights, biases }, eta) {
  const sizes = model.layer_sizes;
  const found = { unchanged: false };
  if (weights !== undefined) {
    checkLayerCount('weights', weights, model.W.length);
    found.grad_W = model.W.map((before, l) => {
      const after = matrix(weights[l], sizes[l + 1], sizes[l]);
      if (!after) throw new StepShapeError('weights', 'wrong_shape', [sizes[l + 1], sizes[l]], l);
      return before.map((row, i) => row.map((w, j) => (w - after[i][j]) / eta));
    });
    found.unchanged = model.W.every((before, l) => before.every((row, i) => row.every(
      (w, j) => unmoved(w, weights[l][i][j]))));
  }
  if (biases !== undefined) {
    checkLayerCount('biases', biases, model.b.length);
    found.grad_b = model.b.map((before, l) => {
      const after = vector(biases[l], before.length);
      if (!after) throw new StepShapeError('biases', 'wrong_shape', [before.length, 1], l);
      return before.map((b, i) => (b - after[i]) / eta);
    });
  }
  return found;
}

// Equal up to NumPy's default print precision (8 decimals, or 8 significant digits when it writes exponents):
// weights printed before the step, rounded, are still the weights before the step.
function unmoved(before, after) {
  return Math.abs(before - after) <= 1e-8 * Math.max(1, Math.abs(before));
}
