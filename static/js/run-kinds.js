// Each run kind as the page shows it. The server's `hello.run_kinds` says which kinds exist, their names,
// δᴸ rules (text and TeX) and which one is a mistake; the page adds its looks (colour, dash) and one line on why.

const LOOKS = {
  sigmoid_mse: {
    color: '#d55e00',
    why: 'σ′(z) ≤ ¼ scales every error down, and almost to 0 where the sigmoid saturates.',
  },
  sigmoid_bce: {
    color: '#56b4e9',
    why: 'The cross-entropy’s 1/(a(1−a)) cancels σ′(z) exactly.',
  },
  softmax_ce: {
    color: '#009e73',
    why: 'Jᵀ∇ₐC with J = diag(a) − aaᵀ and ∇ₐC = −y/a simplifies to a − y.',
  },
  softmax_mse: {
    color: '#0072b2',
    why: 'J = diag(a) − aaᵀ: each output depends on every z, so the whole Jacobian takes the place of σ′(z).',
  },
  softmax_mse_elementwise: {
    color: '#cc79a7',
    dash: [6, 4],
    why: 'Wrong: it keeps only the diagonal of J and drops the −aⱼaₖ terms that couple the outputs.',
  },
};

// Run ids are chosen by the page; a readable id makes the server's messages and saved models clear.
export const RUN_IDS = {
  sigmoid_mse: 'sigmoid-mse',
  sigmoid_bce: 'sigmoid-bce',
  softmax_ce: 'softmax-ce',
  softmax_mse: 'softmax-mse',
  softmax_mse_elementwise: 'mistake',
};

let catalogue = {}; // hello.run_kinds of the current connection

/** Learn the server's run kinds (from `hello`, before any `configured`). */
export function useRunKinds(runKinds) {
  catalogue = runKinds ?? {};
}

export function kindInfo(kind) {
  const server = catalogue[kind];
  const looks = LOOKS[kind] ?? { color: '#666', why: '' };
  if (!server) return { ...looks, name: kind, deltaTex: String.raw`\delta^L`, mistake: false };
  return { ...looks, name: server.label, deltaTex: server.delta_tex, deltaFormula: server.delta_formula,
    mistake: server.mistake };
}

/** The runs of a `configured` message, with their index, name and colour. */
export function runsOf(configured) {
  if (!configured) return [];
  return configured.config.runs.map((run, index) => ({ ...run, index, ...kindInfo(run.kind) }));
}
