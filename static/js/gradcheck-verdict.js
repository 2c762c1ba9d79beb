// The gradient check's verdict, as the server gives it: each layer of a `gradcheck` event carries "agrees",
// "wrong" or "not_meaningful" (the run had diverged), and `hello.gradcheck_rule` the thresholds behind them.

export const NOT_MEANINGFUL = 'not meaningful (the run diverged)';

/** 'diverged', 'wrong' or 'agrees' for a whole `gradcheck` event. */
export function runVerdict(event) {
  const verdicts = (event.layers ?? []).map((layer) => layer.verdict);
  if (verdicts.includes('not_meaningful')) return 'diverged';
  return verdicts.includes('wrong') ? 'wrong' : 'agrees';
}
