// The transport bar: play/pause state, the step, the connection, and a reconnect button when it closed.

import { formatStep } from '../lib/format.js';

// The one thing to do after any close: the Reconnect button, shown beside the note, opens a new session (reloading
// the page would only do the same and lose the form).
export const RECONNECT = 'Reconnect';

// WebSocket close codes in plain words, each with when to press Reconnect. The server's reason, when it gave one, is kept.
const CLOSE_WORDS = {
  1000: ['the session ended', `press ${RECONNECT} to start a new one`],
  1001: ['the server is going away', `wait a moment, then press ${RECONNECT}`],
  1006: ['the connection was lost', `check that the server is running, then press ${RECONNECT}`],
  1008: ['the server refused this session', `press ${RECONNECT} to try again`],
  1009: ['the connection was lost', `press ${RECONNECT}`],
  1011: ['the server hit an error in this session', `press ${RECONNECT} to start a new one`],
  1012: ['the server restarted', `press ${RECONNECT} once it is back`],
  1013: ['the server is busy', `try again in a few minutes: press ${RECONNECT}`],
};
// The server's reason already says what the words would (1011's also says "reload", which Reconnect does better).
const REASON_UNSHOWN = new Set([1011]);
// These reasons say it all, but not which button to press (e.g. 1013: "the server is full; try again in a few minutes").
const REASON_SAYS_WHAT = new Set([1013]);

/** Why the socket closed and what to do, from the close event's code and the server's reason (may be empty). */
export function closeWords(code, reason = '') {
  if (reason && REASON_SAYS_WHAT.has(code)) return `${reason}, then press ${RECONNECT}.`;
  const [what, todo] = CLOSE_WORDS[code] ?? [`the connection closed (code ${code})`, `press ${RECONNECT}`];
  const why = reason && !REASON_UNSHOWN.has(code) ? ` (${reason})` : '';
  return `${what}${why}. ${todo[0].toUpperCase()}${todo.slice(1)}.`;
}

export function createStatusView({ play, step, reset, counter, connection, reconnect, downloadCsv }) {
  let seen = { status: -1, connection: -1, config: -1 };
  reconnect.textContent = RECONNECT; // the name the close notes give it
  return {
    draw(state) {
      if (seen.status === state.rev.status && seen.connection === state.rev.connection && seen.config === state.rev.config &&
          seen.step === state.status.step) return;
      seen = { status: state.rev.status, connection: state.rev.connection, config: state.rev.config, step: state.status.step };
      const ready = state.connection === 'open' && state.configured !== null;
      for (const button of [play, step, reset, downloadCsv]) button.disabled = !ready;
      play.textContent = state.status.playing ? 'Pause' : 'Play';
      play.setAttribute('aria-pressed', String(state.status.playing));
      counter.textContent = `step ${formatStep(state.status.step)}`;
      const reason = state.closeReason;
      const words = { connecting: 'connecting…', open: 'live', closed: `disconnected${reason ? `: ${reason}` : ''}` };
      connection.textContent = words[state.connection];
      connection.dataset.state = state.connection;
      if (state.closeCode === null) delete connection.dataset.closeCode;
      else connection.dataset.closeCode = String(state.closeCode);
      reconnect.hidden = state.connection !== 'closed';
    },
  };
}
