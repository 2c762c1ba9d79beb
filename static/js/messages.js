// Applies each server message to the store: the only place that turns the protocol into state.

import { decodeBoundaryFrame } from './boundary-frame.js';
import { emptyExperiment } from './store.js';
import { appendFrame, createSeries } from './series.js';

export function applyMessage(store, message) {
  const handler = HANDLERS[message.type];
  if (handler) handler(store, message);
}

export function applyBinary(store, buffer) {
  const grid = decodeBoundaryFrame(buffer);
  const configured = store.state.configured;
  if (!grid || !configured || grid.run >= configured.config.runs.length) return;
  store.update(['boundary'], (state) => {
    state.boundaries[grid.run] = grid;
  });
}

const HANDLERS = {
  hello(store, message) {
    store.update(['config'], (state) => {
      state.hello = message;
    });
  },

  configured(store, message) {
    store.update(['config', 'frame', 'boundary', 'events', 'errors'], (state) => {
      Object.assign(state, emptyExperiment());
      state.configured = message;
      state.errors = {}; // the configuration was accepted: earlier complaints no longer apply
    });
  },

  state(store, message) {
    store.update(['status'], (state) => {
      const { type, ...status } = message;
      state.status = status;
    });
  },

  frame(store, message) {
    store.update(['frame'], (state) => {
      const configured = state.configured;
      if (!configured) return;
      const last = state.series?.steps.at(-1);
      if (!state.series || (last !== undefined && message.step < last)) {
        // A new experiment or a reset: start the curves again.
        state.series = createSeries(configured, message.runs.length, message.runs[0]?.layers.length ?? 0);
        if (last !== undefined) {
          state.converged = {};
          state.diagnoses = [];
          state.boundaries = [];
        }
      }
      appendFrame(state.series, message);
      state.frame = message;
      for (const run of message.runs) {
        if (run.converged_at !== null && !(run.id in state.converged)) state.converged[run.id] = run.converged_at;
      }
      state.status = { ...state.status, step: message.step };
    });
  },

  event(store, message) {
    store.update(['events'], (state) => {
      if (message.event === 'converged') {
        if (!(message.run in state.converged)) state.converged[message.run] = message.step;
      } else if (message.event === 'gradcheck') {
        state.gradcheck[message.run] = message;
      } else {
        state.diagnoses.push(message);
      }
    });
  },

  error(store, message) {
    store.update(['errors'], (state) => {
      state.errors[message.field ?? ''] = message.message;
    });
  },
};
