// Each run kind as the page shows it. The server's `hello.run_kinds` says which kinds exist, their names, run ids,
// δᴸ rules (text and TeX) and which mistake a kind trains under (`hello.mistakes` says what that mistake is);
// the page adds its looks: a colour per output layer + loss, and a dash per mistake.

import { PAIRING_COLORS } from './lib/colors.js';

const PAIRING_LOOKS = {
  sigmoid_mse: {
    color: PAIRING_COLORS.sigmoid_mse,
    why: 'σ′(z) ≤ ¼ scales every error down, and almost to 0 where the sigmoid saturates.',
  },
  sigmoid_bce: {
    color: PAIRING_COLORS.sigmoid_bce,
    why: 'The cross-entropy’s 1/(a(1−a)) cancels σ′(z) exactly.',
  },
  softmax_ce: {
    color: PAIRING_COLORS.softmax_ce,
    why: 'Jᵀ∇ₐC with J = diag(a) − aaᵀ and ∇ₐC = −y/a simplifies to a − y.',
  },
  softmax_mse: {
    color: PAIRING_COLORS.softmax_mse,
    why: 'J = diag(a) − aaᵀ: each output depends on every z, so the whole Jacobian takes the place of σ′(z).',
  },
  linear_mse: {
    color: PAIRING_COLORS.linear_mse,
    why: 'A linear output is z itself: ∂a/∂z = 1, so δᴸ is just the cost’s gradient a − y.',
  },
};
// A mistake run is drawn in its pairing's colour with its mistake's own dash, the same on every pairing, so two
// mistakes of one pairing stay apart from each other and from the right run (which is solid).
const DASHES = [[6, 4], [2, 3], [10, 3, 2, 3], [12, 5], [1, 4], [5, 2, 1, 2, 1, 2], [8, 2], [3, 6]];

let catalogue = {}; // hello.run_kinds of the current connection
let mistakes = {}; // hello.mistakes

/** Learn the server's run kinds and mistakes (from `hello`, before any `configured`). */
export function useRunKinds(runKinds, mistakeCatalogue) {
  catalogue = runKinds ?? {};
  mistakes = mistakeCatalogue ?? {};
}

function dashOf(mistake) {
  const index = Object.keys(mistakes).indexOf(mistake);
  return DASHES[Math.max(index, 0) % DASHES.length];
}

export function kindInfo(kind) {
  const server = catalogue[kind];
  if (!server) return { color: '#666', why: '', name: kind, deltaTex: String.raw`\delta^L`, mistake: null };
  const looks = PAIRING_LOOKS[server.right_kind] ?? { color: '#666', why: '' };
  const info = { color: looks.color, why: looks.why, name: server.label, shortId: server.short_id,
    deltaTex: server.delta_tex, deltaFormula: server.delta_formula, mistake: server.mistake, rightKind: server.right_kind };
  if (!server.mistake) return info;
  // A mistake's card says what went wrong instead of why the right rule works.
  return { ...info, dash: dashOf(server.mistake), why: '', mistakeInfo: { id: server.mistake, ...mistakes[server.mistake] } };
}

/** hello.run_kinds grouped as the menu shows them: each right kind, then its mistakes, in hello's order. */
export function groupRunKinds(runKinds) {
  const entries = Object.entries(runKinds);
  return entries.filter(([, info]) => !info.mistake).map(([kind, info]) => ({
    kind, info, mistakes: entries.filter(([, other]) => other.mistake && other.right_kind === kind),
  }));
}

/** Every kind in the menu's order, which is the order the page sends its runs in. */
export function kindsInMenuOrder(runKinds) {
  return groupRunKinds(runKinds).flatMap(({ kind, mistakes }) => [kind, ...mistakes.map(([mistake]) => mistake)]);
}

/** Whether a kind (its hello.run_kinds entry) can train on a dataset of this task ("classification" or
 * "regression"): a regression set's targets are numbers a sigmoid or softmax cannot reach, so only a linear output
 * fits (the server refuses the others); a classification set takes every kind, as in TensorFlow Playground. */
export function fitsTask(info, task) {
  return task !== 'regression' || info.output_activation === 'linear';
}

/** The kinds of `kinds` that fit the task; when none does, the first right kind in the menu that fits. */
export function kindsForTask(kinds, runKinds, task) {
  const kept = kinds.filter((kind) => fitsTask(runKinds[kind] ?? {}, task));
  if (kept.length || !kinds.length) return kept; // none asked: the server's defaults apply, with a note
  const first = groupRunKinds(runKinds).find(({ info }) => fitsTask(info, task));
  return first ? [first.kind] : [];
}

/** The runs of a `configured` message, with their index, name and colour. */
export function runsOf(configured) {
  if (!configured) return [];
  return configured.config.runs.map((run, index) => ({ ...run, index, ...kindInfo(run.kind) }));
}
