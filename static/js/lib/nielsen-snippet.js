// A run's weights and one example as Python a learner pastes into a Nielsen-style program: weights[l] is
// (n_out, n_in), biases[l], x and y are column vectors (n, 1). Every number is written so that Python reads
// back the very same float.

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

/**
 * The code to paste: `weights`, `biases`, `x`, `y`, then the lines that run the learner's backprop and print
 * what the panel reads back. `model` is a model document (W[l] [n_out][n_in], b[l] [n_out]).
 */
export function nielsenSnippet({ model, x, y, caption }) {
  const list = (name, arrays) => [`${name} = [`, ...arrays.map((a) => `${pythonArray(a, '    ')},`), ']'];
  return [
    'import numpy as np',
    '',
    ...(caption ? [`# ${caption}`] : []),
    ...list('weights', model.W),
    ...list('biases', model.b.map(column)),
    pythonArray(column(x), 'x = '),
    pythonArray(column(y), 'y = '),
    '',
    `# net = Network(${JSON.stringify(model.layer_sizes).replaceAll(',', ', ')})  # your own network, these sizes`,
    'net.weights, net.biases = weights, biases',
    'nabla_b, nabla_w = net.backprop(x, y)',
    'np.set_printoptions(threshold=1_000_000)  # every number, no "..."',
    'print(nabla_b)',
    'print(nabla_w)',
    '',
  ].join('\n');
}
