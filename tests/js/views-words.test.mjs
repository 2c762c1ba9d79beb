// The status note after a close, and the network drawing's layer labels: pure parts of two views (issue 17).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { labelLines } from '../../static/js/views/network-view.js';
import { RECONNECT, closeWords } from '../../static/js/views/status-view.js';

test('every close note names the Reconnect button, the one shown beside it', () => {
  const cases = [[1000, ''], [1000, 'closed after 30 minutes without a message'], [1001, ''], [1006, ''], [1008, ''],
    [1009, 'message larger than 65536 bytes'], [1011, 'the server hit an error in this session; reload to start again'],
    [1012, ''], [1013, ''], [1013, 'the server is full; try again in a few minutes'], [4321, '']];
  for (const [code, reason] of cases) assert.ok(closeWords(code, reason).includes(RECONNECT), `${code} ${reason}`);
});

test('layer labels share the bottom line while they fit, and take the line above when they would overlap', () => {
  assert.deepEqual(labelLines([[0, 40], [60, 100], [120, 160]]), [0, 0, 0]);
  assert.deepEqual(labelLines([[0, 40], [30, 90], [95, 150]]), [0, 1, 0]);
  assert.deepEqual(labelLines([[0, 40], [20, 60], [44, 90]]), null); // two lines are not enough: shorter words
});
