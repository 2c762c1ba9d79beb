import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePastedNumbers, PasteError } from '../../static/js/lib/pasted-numbers.js';

test('JSON and Python lists parse alike', () => {
  assert.deepEqual(parsePastedNumbers('[[0.5, -1e-3], [2, 3.25]]'), [[0.5, -0.001], [2, 3.25]]);
  assert.deepEqual(parsePastedNumbers('[[0.5, -1e-3,], [2, 3.25,],]'), [[0.5, -0.001], [2, 3.25]]);
});

test("print(array) with spaces and NumPy's exponents", () => {
  const printed = '[[ 1.23456789e-01 -2.00000000e+00]\n [ 3.00000000e+00  4.50000000e-02]]';
  assert.deepEqual(parsePastedNumbers(printed), [[0.123456789, -2], [3, 0.045]]);
});

test('repr of a list of column vectors, as print(nabla_b) shows it', () => {
  const printed = '[array([[ 0.01],\n       [-0.02]]), array([[0.5]])]';
  assert.deepEqual(parsePastedNumbers(printed), [[[0.01], [-0.02]], [[0.5]]]);
});

test('np.array(..., dtype=float64) and NumPy 2 scalars', () => {
  assert.deepEqual(parsePastedNumbers('np.array([[1., 2.]], dtype=float64)'), [[1, 2]]);
  assert.equal(parsePastedNumbers('np.float64(0.25)'), 0.25);
});

test('two printouts one after the other come back as a list of both', () => {
  assert.deepEqual(parsePastedNumbers('[[1.]\n [2.]]\n[[3.]]'), [[[1], [2]], [[3]]]);
});

for (const [text, reason] of [['', 'empty'], ['[[1, 2]', 'unbalanced_brackets'], ['[1, 2]]', 'unbalanced_brackets'],
  ['[nan, 1]', 'not_finite'], ['[-inf]', 'not_finite'], ['[1, two]', 'unexpected_text']]) {
  test(`refuses ${JSON.stringify(text)} with reason ${reason}`, () => {
    assert.throws(() => parsePastedNumbers(text), (e) => e instanceof PasteError && e.reason === reason);
  });
}
