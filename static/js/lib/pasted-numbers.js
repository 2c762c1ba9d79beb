// Numbers a learner pastes from their own program, in whatever form Python printed them:
// JSON, Python lists, `print(array)` (spaces, no commas), `repr` of a list of arrays
// (`[array([[0.1], [0.2]]), array(...)]`), NumPy's `e-01` exponents. The result is nested arrays of numbers.

/** Thrown with `reason` (an id the panel explains) and `at` (the character where it happened). */
export class PasteError extends Error {
  constructor(reason, at) {
    super(reason);
    this.reason = reason;
    this.at = at;
  }
}

// Words that may wrap numbers in a printout and carry no number themselves.
const NOISE = /^(?:np\.|numpy\.)?(?:array|matrix|float64|float32)\(|^dtype=\w+|^\)|^,/;
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;
const NON_FINITE = /^[-+]?(?:nan|inf(?:inity)?)\b/i;

function tokens(text) {
  const found = [];
  let at = 0;
  while (at < text.length) {
    const rest = text.slice(at);
    const space = rest.match(/^\s+/);
    if (space) { at += space[0].length; continue; }
    if (rest[0] === '[' || rest[0] === ']') { found.push({ kind: rest[0], at }); at += 1; continue; }
    if (NON_FINITE.test(rest)) throw new PasteError('not_finite', at);
    const number = rest.match(NUMBER);
    if (number) { found.push({ kind: 'number', value: Number(number[0]), at }); at += number[0].length; continue; }
    const noise = rest.match(NOISE);
    if (noise) { at += noise[0].length; continue; }
    throw new PasteError('unexpected_text', at);
  }
  return found;
}

/**
 * Parse pasted text into a number or nested arrays of numbers. Several top-level arrays one after another
 * (two `print` calls) come back as one list of them.
 */
export function parsePastedNumbers(text) {
  const list = tokens(String(text));
  if (list.length === 0) throw new PasteError('empty', 0);
  const stack = [[]];
  for (const token of list) {
    if (token.kind === '[') stack.push([]);
    else if (token.kind === ']') {
      if (stack.length === 1) throw new PasteError('unbalanced_brackets', token.at);
      const done = stack.pop();
      stack[stack.length - 1].push(done);
    } else stack[stack.length - 1].push(token.value);
  }
  if (stack.length !== 1) throw new PasteError('unbalanced_brackets', String(text).length);
  const top = stack[0];
  return top.length === 1 ? top[0] : top;
}
