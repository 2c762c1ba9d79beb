// The server sends no more frames than the page draws: frames that arrive between two animation frames are
// parsed, stored and never shown. Once a second, while frames come, the page compares the frames it showed with
// those that arrived and asks the server (`set`, `frame_rate`) for about what it can show; when it keeps up
// again, for more, up to the server's default rate.

const CHECK_MS = 1000;
const MIN_RATE = 5; // below this the charts look like slides; a page this slow is helped by nothing we send
const FALLING_BEHIND = 0.8; // showed fewer than this share of the frames that came
const KEEPING_UP = 0.95; // showed at least this share of them

/**
 * The frame rate to ask for after a window of `seconds` in which `received` frames came and `shown` of them
 * were drawn, asking `rate` now (at most `max`). The same `rate` means: send nothing.
 */
export function nextFrameRate({ received, shown, seconds, rate, max }) {
  if (seconds <= 0 || received < 3) return rate; // paused, or too few frames to judge
  const shownRate = shown / seconds;
  if (shown < FALLING_BEHIND * received) return Math.max(MIN_RATE, Math.min(rate, Math.floor(shownRate)));
  // Raise only when the server delivers what was asked: a server that cannot keep up is not helped by more.
  const delivering = received / seconds >= FALLING_BEHIND * rate;
  if (shown >= KEEPING_UP * received && delivering && rate < max) return Math.min(max, Math.ceil(rate * 1.25));
  return rate;
}

/** Watches the store and the render loop; sends `set` when the page should get fewer (or again more) frames. */
export function adaptFrameRate({ store, loop, send }) {
  let last = { at: performance.now(), received: store.state.rev.frame, shown: loop.framesShown() };
  setInterval(() => {
    const now = { at: performance.now(), received: store.state.rev.frame, shown: loop.framesShown() };
    const { hello, status, connection } = store.state;
    const counts = { received: now.received - last.received, shown: now.shown - last.shown,
      seconds: (now.at - last.at) / 1000 };
    last = now;
    if (!hello || connection !== 'open' || !status.playing) return;
    const rate = status.frame_rate;
    const next = nextFrameRate({ ...counts, rate, max: hello.defaults.frame_rate });
    if (next !== rate) send({ type: 'set', frame_rate: next });
  }, CHECK_MS);
}
