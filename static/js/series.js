// Time series kept from the frames: loss, outputs per example and gradient norms per layer, per run.
// Long runs are thinned (every other point dropped) so the charts stay fast at any step count.

const MAX_POINTS = 2000;
const MAX_SHOWN_EXAMPLES = 8;

/**
 * Up to 8 examples to follow over time, taken in turn from each class so every label is represented.
 * `labels` are one-hot rows; only the examples a frame carries (its first rows) can be chosen.
 */
export function chooseExamples(labels, available) {
  const byClass = new Map();
  labels.slice(0, available).forEach((row, index) => {
    const cls = row.indexOf(Math.max(...row));
    if (!byClass.has(cls)) byClass.set(cls, []);
    byClass.get(cls).push(index);
  });
  const queues = [...byClass.keys()].sort((a, b) => a - b).map((cls) => byClass.get(cls));
  const chosen = [];
  for (let round = 0; chosen.length < MAX_SHOWN_EXAMPLES && queues.some((q) => round < q.length); round++) {
    for (const queue of queues) {
      if (round < queue.length && chosen.length < MAX_SHOWN_EXAMPLES) chosen.push(queue[round]);
    }
  }
  return chosen.sort((a, b) => a - b);
}

/** Which output unit to follow for an example: unit 0 for two classes, else the unit of its own label. */
export function followedUnit(labelRow) {
  return labelRow.length === 2 ? 0 : labelRow.indexOf(Math.max(...labelRow));
}

/** `frameExamples`: how many examples' outputs a frame carries (hello.frame_examples), the first ones. */
export function createSeries(configured, runCount, layerCount, frameExamples) {
  const examples = chooseExamples(configured.labels, Math.min(configured.labels.length, frameExamples));
  return {
    examples,
    units: examples.map((e) => followedUnit(configured.labels[e])),
    steps: [],
    loss: Array.from({ length: runCount }, () => []),
    testLoss: Array.from({ length: runCount }, () => []), // null at every step without a test part
    outputs: Array.from({ length: runCount }, () => examples.map(() => [])),
    gradNorms: Array.from({ length: runCount }, () => Array.from({ length: layerCount }, () => [])),
  };
}

/** Add a frame's numbers; a frame at the same step as the last point replaces it. */
export function appendFrame(series, frame) {
  const last = series.steps.length - 1;
  const replace = last >= 0 && series.steps[last] === frame.step;
  const put = (array, value) => {
    if (replace) array[last] = value;
    else array.push(value);
  };
  put(series.steps, frame.step);
  frame.runs.forEach((run, r) => {
    // A diverged run's frame repeats its last finite numbers: drawn, they would be a flat line, so it stops here.
    const stopped = run.status === 'diverged';
    put(series.loss[r], stopped ? null : run.loss ?? null);
    put(series.testLoss[r], stopped ? null : run.test_loss ?? null);
    series.examples.forEach((example, i) => put(series.outputs[r][i],
      stopped ? null : run.outputs[example]?.[series.units[i]] ?? null));
    run.layers.forEach((layer, l) => put(series.gradNorms[r][l], stopped ? null : layer.grad_W_norm));
  });
  if (series.steps.length > MAX_POINTS) thin(series);
}

function thin(series) {
  const keep = (_, i, array) => i % 2 === 0 || i === array.length - 1;
  series.steps = series.steps.filter(keep);
  series.loss = series.loss.map((values) => values.filter(keep));
  series.testLoss = series.testLoss.map((values) => values.filter(keep));
  series.outputs = series.outputs.map((run) => run.map((values) => values.filter(keep)));
  series.gradNorms = series.gradNorms.map((run) => run.map((values) => values.filter(keep)));
}
