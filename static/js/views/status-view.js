// The transport bar: play/pause state, the step, the connection, and a reconnect button when it closed.

import { formatStep } from '../lib/format.js';

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
      const words = { connecting: 'connecting…', open: 'live', closed: `disconnected${state.closeReason ? `: ${state.closeReason}` : ''}` };
      connection.textContent = words[state.connection];
      connection.dataset.state = state.connection;
      reconnect.hidden = state.connection !== 'closed';
    },
  };
}
