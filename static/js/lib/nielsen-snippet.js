// A run's weights and one example (or a mini-batch and eta) as Python a learner pastes into a Nielsen-style
// program: weights[l] is (n_out, n_in), biases[l], x and y are column vectors (n, 1). Every number is written
// so that Python reads back the very same float.

/** JS's shortest round-trip form (Python parses it to the same float), with ".0" so NumPy makes floats. */
export function pythonFloat(value) {
  const text = String(value);
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}

/** `np.array([[..], [..]])`, one row per line, aligned under the first as NumPy prints them; `before` is what
 * comes before it on its line (`x = `, an indent). */
export function pythonArray(rows, before = '') {
  const lead = `${before}np.array([`;
  const lines = rows.map((row) => `[${row.map(pythonFloat).join(', ')}]`);
  return `${lead}${lines.join(`,\n${' '.repeat(lead.length)}`)}])`;
}

const column = (values) => values.map((v) => [v]);

/** A column vector on one line: `np.array([[1.0], [0.0]])`. */
const pythonColumn = (values) => `np.array([${values.map((v) => `[${pythonFloat(v)}]`).join(', ')}])`;

/** The lines that give the model's weights (n_out, n_in) and biases (n_out, 1), after `caption` as a comment. */
function weightLines(model, caption) {
  const list = (name, arrays) => [`${name} = [`, ...arrays.map((a) => `${pythonArray(a, '    ')},`), ']'];
  return ['import numpy as np', '', ...(caption ? [`# ${caption}`] : []),
    ...list('weights', model.W), ...list('biases', model.b.map(column))];
}

const networkLines = (model) => [
  `# net = Network(${JSON.stringify(model.layer_sizes).replaceAll(',', ', ')})  # your own network, these sizes`,
  'net.weights, net.biases = weights, biases',
];

/**
 * The code to paste: `weights`, `biases`, `x`, `y`, then the lines that run the learner's backprop and print
 * what the panel reads back. `model` is a model document (W[l] [n_out][n_in], b[l] [n_out]).
 */
export function nielsenSnippet({ model, x, y, caption }) {
  return [
    ...weightLines(model, caption),
    pythonArray(column(x), 'x = '),
    pythonArray(column(y), 'y = '),
    '',
    ...networkLines(model),
    'nabla_b, nabla_w = net.backprop(x, y)',
    'np.set_printoptions(threshold=1_000_000)  # every number, no "..."',
    'print(nabla_b)',
    'print(nabla_w)',
    '',
  ].join('\n');
}

/**
 * The code for one training step: `weights`, `biases`, `mini_batch` (Nielsen's list of (x, y) column vectors:
 * `inputs`/`labels`, the first examples of `total`) and `eta`, then the learner's update_mini_batch and the
 * prints of the weights after it. Printed with every digit: (before − after) / eta cancels most of them.
 */
export function stepSnippet({ model, inputs, labels, total, eta, caption }) {
  const more = total > inputs.length ? ` (the first ${inputs.length} of the run's ${total})` : '';
  return [
    ...weightLines(model, caption),
    `# the examples${more}, as (x, y) column vectors`,
    'mini_batch = [',
    ...inputs.map((x, i) => `    (${pythonColumn(x)}, ${pythonColumn(labels[i])}),`),
    ']',
    `eta = ${pythonFloat(eta)}  # the run's learning rate`,
    '',
    ...networkLines(model),
    'net.update_mini_batch(mini_batch, eta)',
    "np.set_printoptions(threshold=1_000_000, floatmode='unique')  # every number, every digit",
    'print(net.weights)',
    'print(net.biases)',
    '',
  ].join('\n');
}
