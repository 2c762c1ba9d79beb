// Messages as the server sends them (docs/protocol.md), for the page's modules to read.

export const HELLO = {
  type: 'hello',
  run_kinds: {
    sigmoid_mse: { label: 'sigmoid + MSE', output_activation: 'sigmoid', loss: 'mse', delta_formula: "(a − y) ⊙ σ'(z)",
      delta_tex: String.raw`\delta^L = (a - y) \odot \sigma'(z^L)`, mistake: null, right_kind: 'sigmoid_mse',
      short_id: 'sigmoid-mse' },
    softmax_ce: { label: 'softmax + CE', output_activation: 'softmax', loss: 'cross_entropy', delta_formula: 'a − y',
      delta_tex: String.raw`\delta^L = a - y`, mistake: null, right_kind: 'softmax_ce', short_id: 'softmax-ce' },
    sigmoid_mse_examples_mixed: { label: 'sigmoid + MSE ✗ examples averaged too early', output_activation: 'sigmoid',
      loss: 'mse', delta_formula: "(a − y) ⊙ σ'(z)", delta_tex: String.raw`\delta^L = (a - y) \odot \sigma'(z^L)`,
      mistake: 'examples_mixed', right_kind: 'sigmoid_mse', short_id: 'sig-mse-mixed' },
    sigmoid_mse_sign_flipped: { label: 'sigmoid + MSE ✗ sign flipped', output_activation: 'sigmoid', loss: 'mse',
      delta_formula: "(y − a) ⊙ σ'(z)", delta_tex: String.raw`\delta^L = (y - a) \odot \sigma'(z^L)`,
      mistake: 'sign_flipped', right_kind: 'sigmoid_mse', short_id: 'sig-mse-sign' },
  },
  mistakes: {
    sign_flipped: { title: 'sign flipped', sentence: 'You used y − a.', fix: 'Use a − y.', equation: 'BP1' },
    examples_mixed: { title: 'examples averaged too early', sentence: 'You averaged first.', fix: 'Average last.',
      equation: 'BP4' },
  },
  datasets: [
    { name: 'two-points', available: true, params: [] },
    { name: 'near-twins', available: true, params: [{ name: 'eps', kind: 'float', default: 0.1, min: 0, max: 1 }] },
  ],
  hidden_activations: ['sigmoid', 'tanh', 'relu'],
  inits: { normal: '', xavier: '' },
  optimizers: { sgd: '', adam: '' },
  limits: { max_speed: 5000 },
  defaults: { speed: 60, frame_rate: 30, boundary_rate: 5,
    config: { dataset: { name: 'two-points', params: {}, seed: 0 },
      network: { hidden_layers: [8], hidden_activation: 'sigmoid', init: 'normal', seed: 0, dtype: 'float64' },
      runs: [{ id: 'a', kind: 'sigmoid_mse' }, { id: 'b', kind: 'softmax_ce' }],
      optimizer: { name: 'sgd', learning_rate: 0.5 }, batch_size: null, example: 0 } },
  settings: {
    'network.hidden_layers': { minimum: 1, exclusive_minimum: null, maximum: 1024, integer: true },
    speed: { minimum: 1, exclusive_minimum: null, maximum: 5000, integer: true },
  },
  thresholds: { reached_labels: 0.1, mean_label: 0.05, collapse_reported_from: 150, plateau_note_after: 1000 },
  frame_examples: 2,
};

export const RUNS = [{ id: 'sigmoid-mse', kind: 'sigmoid_mse' }, { id: 'softmax-ce', kind: 'softmax_ce' }];

export function configured(labels = [[1, 0], [0, 1]]) {
  return { type: 'configured', config: { runs: RUNS, example: 0 }, layer_sizes: [2, 8, 2],
    inputs: labels.map((_, i) => [i, 1 - i]), labels, class_names: ['A', 'B'], boundary: null };
}

export function frame(step, losses = [0.5, 0.7]) {
  return { type: 'frame', step, runs: RUNS.map((run, r) => ({ ...run, status: 'training', converged_at: null,
    loss: losses[r], outputs: [[0.6, 0.4], [0.4, 0.6]], max_error: 0.4,
    layers: [{ grad_W_norm: 0.1 * (r + 1), grad_b_norm: 0.01, saturated_fraction: 0, mean_abs_activation: 0.5,
      histogram: { max_abs: 0.1, counts: Array(16).fill(0) } }],
    output: { delta: [[0.1, -0.1], [-0.1, 0.1]], jacobian: [[0.24, -0.24], [-0.24, 0.24]], per_example_grad_W: null,
      example: 0 } })) };
}

const UNSCALED = { id: 'unscaled_inputs', headline: 'The inputs are too large', detail: 'The inputs are large (up to 255).',
  suggestion: 'Scale the inputs.' };
const SATURATED = { id: 'saturated_layer', headline: 'Saturated units', detail: '90% of the first layer is saturated.',
  suggestion: 'Scale the inputs.' };

export function collapsed(run, step, mean = '[0.5, 0.5]') {
  return { type: 'event', event: 'collapsed', run, step, cause: 'unscaled_inputs', headline: 'Stuck at the mean label',
    detail: `Every input gets about ${mean}, the average of the labels. ${UNSCALED.detail}`,
    suggestion: 'Scale the inputs.', causes: [UNSCALED, SATURATED] };
}

export function diverged(run, step) {
  return { type: 'event', event: 'diverged', run, step, cause: 'diverged', headline: 'Training blew up and stopped',
    detail: `At step ${step}, the loss is no longer a finite number.`, suggestion: 'Lower the learning rate 10×.' };
}

export function converged(run, step) {
  return { type: 'event', event: 'converged', run, step, cause: 'converged', headline: 'Reached the labels',
    detail: `Every output is within 0.1 of its label at step ${step}.` };
}

export function plateau(run, step) {
  return { type: 'event', event: 'plateau', run, step, cause: 'plateau', headline: 'A slow plateau',
    detail: 'Every input has got about [0.5, 0.5] for 1,000 steps. It may end by itself.', suggestion: 'Keep training.' };
}
