// The frame rate the page asks for: no more frames than it draws, and more again once it keeps up.

import assert from 'node:assert/strict';
import { test } from 'node:test';

const { nextFrameRate } = await import('../../static/js/frame-rate.js');

test('a page that drew 12 of the 30 frames that came in a second asks for 12 frames per second', () => {
  assert.equal(nextFrameRate({ received: 30, shown: 12, seconds: 1, rate: 30, max: 30 }), 12);
});

test('a page that keeps up keeps its rate, and never asks for more than the server’s default', () => {
  assert.equal(nextFrameRate({ received: 30, shown: 30, seconds: 1, rate: 30, max: 30 }), 30);
  assert.equal(nextFrameRate({ received: 29, shown: 28, seconds: 1, rate: 30, max: 30 }), 30);
});

test('once it keeps up at a lowered rate, it asks for a quarter more, up to the default', () => {
  assert.equal(nextFrameRate({ received: 12, shown: 12, seconds: 1, rate: 12, max: 30 }), 15);
  assert.equal(nextFrameRate({ received: 27, shown: 27, seconds: 1, rate: 27, max: 30 }), 30);
});

test('a server that sends fewer frames than asked is not asked for more', () => {
  assert.equal(nextFrameRate({ received: 6, shown: 6, seconds: 1, rate: 12, max: 30 }), 12);
});

test('the rate never drops below 5 frames per second', () => {
  assert.equal(nextFrameRate({ received: 30, shown: 1, seconds: 1, rate: 30, max: 30 }), 5);
});

test('paused (no frames) or a window too short to judge: nothing is sent', () => {
  assert.equal(nextFrameRate({ received: 0, shown: 0, seconds: 1, rate: 20, max: 30 }), 20);
  assert.equal(nextFrameRate({ received: 2, shown: 0, seconds: 1, rate: 20, max: 30 }), 20);
  assert.equal(nextFrameRate({ received: 30, shown: 10, seconds: 0, rate: 20, max: 30 }), 20);
});
