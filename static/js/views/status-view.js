// The transport bar: play/pause state, the step, the connection, and a reconnect button when it closed.

import { formatStep } from '../lib/format.js';

// WebSocket close codes in plain words, each with what to do. The server's reason, when it gave one, is kept.
const CLOSE_WORDS = {
  1000: ['the session ended', 'press Reconnect to start a new one'],
  1001: ['the server is going away', 'wait a moment, then press Reconnect'],
  1006: ['the connection was lost', 'check that the server is running, then press Reconnect'],
  1008: ['the connection was lost', 'reload the page'],
  1009: ['the connection was lost', 'press Reconnect'],
  1011: ['the connection was lost', 'reload the page'],
  1012: ['the server restarted', 'reload the page'],
  1013: ['the server is busy', 'try again in a few minutes'],
};
// The server's reasons for these already say what to do (e.g. 1013: "the server is full; try again in a few minutes").
const REASON_SAYS_IT_ALL = new Set([1011, 1013]);

/** Why the socket closed and what to do, from the close event's code and the server's reason (may be empty). */
export function closeWords(code, reason = '') {
  if (reason && REASON_SAYS_IT_ALL.has(code)) return reason;
  const [what, todo] = CLOSE_WORDS[code] ?? [`the connection closed (code ${code})`, 'press Reconnect'];
  return `${what}${reason ? ` (${reason})` : ''}. ${todo[0].toUpperCase()}${todo.slice(1)}.`;
}

export function createStatusView({ play, step, reset, counter, connection, reconnect, downloadCsv }) {
  let seen = { status: -1, connection: -1, config: -1 };
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
      reconnect.hidden = state.connection !== 'closed';
    },
  };
}
