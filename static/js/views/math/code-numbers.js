// The live numbers beside the code view's lines: for one run, the selected example's x, a, y and δᴸ, and the
// gradients the frame carries, which are the run's own (a mistake run's, as its lines compute them). Only what the
// frame holds: the page computes no numbers of its own.

import { formatNumber } from '../../lib/format.js';

const SHOWN = 4; // numbers per vector; more would not fit beside a line of code

/** A vector as a short list: its first SHOWN numbers, then how many more. */
export function shortVector(values) {
  const shown = values.slice(0, SHOWN).map((v) => formatNumber(v, 3)).join(', ');
  return values.length > SHOWN ? `[${shown}, … ${values.length - SHOWN} more]` : `[${shown}]`;
}

/**
 * Run `r`'s numbers by equation (forward, output, cost, BP1, BP2, BP3, BP4, update): each a list of lines,
 * empty where the frame has none for it (a run that diverged, an example past those a frame carries).
 */
export function codeNumbers({ configured, frame }, r) {
  const run = frame.runs[r];
  const config = configured.config;
  const e = run.output.example ?? config.example;
  const a = run.outputs[e];
  const delta = run.output.delta?.[e];
  const layers = run.layers ?? [];
  const last = layers.length - 1;
  const numbers = { forward: [], output: [], cost: [], BP1: [], BP2: [], BP3: [], BP4: [], update: [] };
  numbers.forward.push(`x = ${shortVector(configured.inputs[e])}`);
  if (run.status === 'diverged' || !a || !delta) return numbers;
  numbers.output.push(`a = ${shortVector(a)}`);
  numbers.cost.push(`y = ${shortVector(configured.labels[e])}`, `C = ${formatNumber(run.loss, 4)} (all examples)`);
  numbers.BP1.push(`delta = ${shortVector(delta)}`);
  if (run.output.delta_correct) numbers.BP1.push(`right: ${shortVector(run.output.delta_correct[e])}`);
  for (let l = 0; l < last; l += 1) {
    numbers.BP2.push(`layer ${l + 1}: ‖mean δ‖ = ${formatNumber(layers[l].delta_mean_norm, 3)}`);
  }
  // The run's own ∂C/∂b: zero where the biases' gradient is never computed, N times the mean where it is summed.
  numbers.BP3.push(`this example: delta = ${shortVector(delta)}`,
    `this run: ‖nabla_b[-1]‖ = ${formatNumber(layers[last]?.grad_b_norm, 3)}`);
  const ownGradient = run.output.per_example_grad_W?.[e];
  if (ownGradient) numbers.BP4.push(`this example: nabla_w[-1][0] = ${shortVector(ownGradient[0])}`);
  numbers.BP4.push(`this run: ‖nabla_w[-1]‖ = ${formatNumber(layers[last]?.grad_W_norm, 3)}`);
  numbers.update.push(`this run: ${layers.map((layer, l) => `‖nabla_w[${l}]‖ = ${formatNumber(layer.grad_W_norm, 3)}`).join(', ')}`);
  return numbers;
}
