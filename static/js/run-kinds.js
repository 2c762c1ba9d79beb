// What the page says about each run kind: a short name, a colour, and its δᴸ rule in TeX.
// The server's `hello.run_kinds` is the authority on which kinds exist; this adds the words and looks.

export const RUN_KINDS = {
  sigmoid_mse: {
    name: 'sigmoid + MSE',
    color: '#d55e00',
    deltaTex: String.raw`\delta^L = (a - y) \odot \sigma'(z^L)`,
    why: 'σ′(z) ≤ ¼ scales every error down, and almost to 0 where the sigmoid saturates.',
  },
  sigmoid_bce: {
    name: 'sigmoid + BCE',
    color: '#56b4e9',
    deltaTex: String.raw`\delta^L = a - y`,
    why: 'The cross-entropy’s 1/(a(1−a)) cancels σ′(z) exactly.',
  },
  softmax_ce: {
    name: 'softmax + CE',
    color: '#009e73',
    deltaTex: String.raw`\delta^L = a - y`,
    why: 'Jᵀ∇ₐC with J = diag(a) − aaᵀ and ∇ₐC = −y/a simplifies to a − y.',
  },
  softmax_mse: {
    name: 'softmax + MSE',
    color: '#0072b2',
    deltaTex: String.raw`\delta^L = J^\top (a - y)`,
    why: 'J = diag(a) − aaᵀ: each output depends on every z, so the whole Jacobian takes the place of σ′(z).',
  },
  softmax_mse_elementwise: {
    name: 'softmax + MSE, elementwise (wrong)',
    color: '#cc79a7',
    dash: [6, 4],
    mistake: true,
    deltaTex: String.raw`\delta^L = (a - y) \odot a \odot (1 - a)`,
    why: 'Wrong: it keeps only the diagonal of J and drops the −aⱼaₖ terms that couple the outputs.',
  },
};

// Run ids are chosen by the page; a readable id makes the server's messages ("Run softmax-ce is stuck…") clear.
export const RUN_IDS = {
  sigmoid_mse: 'sigmoid-mse',
  sigmoid_bce: 'sigmoid-bce',
  softmax_ce: 'softmax-ce',
  softmax_mse: 'softmax-mse',
  softmax_mse_elementwise: 'mistake',
};

export function kindInfo(kind) {
  return RUN_KINDS[kind] ?? { name: kind, color: '#666', deltaTex: String.raw`\delta^L` };
}

/** The runs of a `configured` message, with their index, name and colour. */
export function runsOf(configured) {
  if (!configured) return [];
  return configured.config.runs.map((run, index) => ({ ...run, index, ...kindInfo(run.kind) }));
}
