// Applies each server message to the store. (main.js keeps the state of its own requests: the `configure`
// messages waiting for an answer; model-actions.js records the `save` and `model` requests it sends, each
// `model` with its purpose: a download, or the weights of the "Check my numbers" panel.)

import { decodeBoundaryFrame, decodeNeuronMaps } from './boundary-frame.js';
import { useRunKinds } from './run-kinds.js';
import { emptyExperiment } from './store.js';
import { appendFrame, createSeries } from './series.js';

export function applyMessage(store, message) {
  const handler = HANDLERS[message.type];
  if (handler) handler(store, message);
}

export function applyBinary(store, buffer) {
  const configured = store.state.configured;
  const maps = decodeNeuronMaps(buffer);
  if (maps) {
    if (configured && maps.run < configured.config.runs.length) {
      store.update(['neurons'], (state) => { state.neuronMaps[maps.run] = maps; });
    }
    return;
  }
  const grid = decodeBoundaryFrame(buffer);
  if (!grid || !configured || grid.run >= configured.config.runs.length) return;
  store.update(['boundary'], (state) => {
    state.boundaries[grid.run] = grid;
  });
}

const HANDLERS = {
  hello(store, message) {
    useRunKinds(message.run_kinds, message.mistakes);
    store.update(['config', 'models'], (state) => {
      state.hello = message;
      state.modelRequests = []; // a new connection: nothing sent on the old one will be answered
    });
  },

  configured(store, message) {
    store.update(['config', 'frame', 'boundary', 'events', 'errors', 'models'], (state) => {
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
        state.series = createSeries(configured, message.runs.length, message.runs[0]?.layers.length ?? 0,
          state.hello?.frame_examples ?? configured.labels.length);
        if (last !== undefined) {
          state.converged = {};
          state.diagnoses = [];
          state.boundaries = [];
          state.neuronMaps = [];
          state.weights = {};
        }
      }
      appendFrame(state.series, message);
      state.frame = message;
      for (const run of message.runs) {
        if (run.weights) state.weights[run.id] = { step: message.step, ...run.weights };
      }
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
        resolveCollapse(state, message);
      } else if (message.event === 'gradcheck') {
        state.gradcheck[message.run] = message;
      } else {
        state.diagnoses.push(message);
      }
    });
  },

  saved(store, message) {
    store.update(['models'], (state) => {
      settle(state, 'save', message.run);
      const saved = { ...message.model, step: message.step };
      state.models[message.run] = { ...state.models[message.run], saved, error: null };
    });
  },

  model(store, message) {
    // For a download the document is not kept (main.js hands it to the download as it arrives); for the check
    // panel it is the snapshot the learner's numbers are checked against, until they take another.
    store.update(['models'], (state) => {
      const request = settle(state, 'model', message.run);
      if (request?.purpose === 'check') state.check = { snapshot: snapshotOf(state, message), error: null };
      else state.models[message.run] = { ...state.models[message.run], error: null };
    });
  },

  error(store, message) {
    const request = requestFor(store.state, message.in_reply_to);
    if (request?.purpose === 'check') {
      // The check panel's weights: it keeps its snapshot and shows the error.
      store.update(['models'], (state) => {
        settle(state, request.type, request.run);
        state.check = { ...state.check, error: { code: message.code, message: message.message } };
      });
      return;
    }
    if (request) {
      // A `save` or `model` that failed: the error belongs beside that run's buttons.
      store.update(['models'], (state) => {
        settle(state, request.type, request.run);
        const error = { type: request.type, code: message.code, message: message.message };
        state.models[request.run] = { ...state.models[request.run], error };
      });
      return;
    }
    store.update(['errors'], (state) => {
      state.errors[message.field ?? ''] = { message: message.message };
    });
  },
};

/** A run reached its labels: a collapse reported before is marked resolved, no longer claimed, and a plateau
 * note about it is over. */
function resolveCollapse(state, converged) {
  state.diagnoses = state.diagnoses
    .filter((d) => !(d.event === 'plateau' && d.run === converged.run))
    .map((d) => (d.event === 'collapsed' && d.run === converged.run && !d.resolved
      ? { ...d, resolved: { step: converged.step } } : d));
}

/** Forget the oldest unanswered request of this type for this run (the server answers in order); return it. */
function settle(state, type, run) {
  const i = state.modelRequests.findIndex((r) => r.type === type && r.run === run);
  return i >= 0 ? state.modelRequests.splice(i, 1)[0] : null;
}

/** The run's model with the example the math panel shows (at the time of the reply), as the check panel uses it;
 * for its "one training step", the run's data and learning rate too. The inputs are those the network reads: the
 * input features when the experiment has them. */
function snapshotOf(state, message) {
  const example = state.frame?.runs.find((run) => run.id === message.run)?.output.example ?? 0;
  const { labels, config } = state.configured;
  const inputs = state.configured.network_inputs ?? state.configured.inputs;
  const spec = config.runs?.find((run) => run.id === message.run);
  const eta = spec?.learning_rate ?? spec?.optimizer?.learning_rate ?? config.optimizer?.learning_rate;
  return { run: message.run, kind: message.kind, step: message.step, model: message.model, example,
    x: inputs[example], y: labels[example], inputs, labels, eta };
}

/** The unanswered `save` or `model` an error answers (its `in_reply_to`), if any: the one for that run, else the
 * oldest of that type (the server answers in order). */
function requestFor(state, inReplyTo) {
  if (!inReplyTo) return null;
  const ofType = state.modelRequests.filter((r) => r.type === inReplyTo.type);
  return ofType.find((r) => r.run === inReplyTo.run) ?? ofType[0] ?? null;
}
