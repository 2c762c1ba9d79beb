// The one small store: the socket's messages go in (messages.js), the views read it out. Views draw from it and
// write only their own requests (model-actions.js) and the form's errors and notices (configurer.js).
// `rev` counts changes per part, so a view redraws only what changed since it last looked.

export function emptyExperiment() {
  return {
    configured: null, // the `configured` message: config, layer_sizes, inputs, labels, class_names, boundary
    frame: null, // the latest `frame`
    series: null, // time series built from frames (see series.js)
    boundaries: [], // per run index: the latest decoded boundary grid
    neuronMaps: [], // per run index: the latest decoded per-neuron maps (boundary-frame.js)
    weights: {}, // run id -> { step, W, b, grad_W }: the latest frame's weights that carried them (not every frame does)
    converged: {}, // run id -> step the run first reached its labels
    diagnoses: [], // `diverged` and `collapsed` events; a collapsed run that converged later gets `resolved`
    gradcheck: {}, // run id -> the latest `gradcheck` event
    models: {}, // run id -> { saved: the latest `saved` model summary, plus its step; error: { type, message } or null }
  };
}

export function createStore() {
  const state = {
    connection: 'connecting', // 'connecting' | 'open' | 'closed'
    closeReason: '',
    closeCode: null, // the WebSocket close code, for tests and styling (the words are for people)
    hello: null,
    status: { playing: false, step: 0, speed: 60, frame_rate: 30 },
    lastConfigure: null, // the last `configure` message sent
    modelRequests: [], // `save` and `model` messages sent and not answered yet, oldest first: { type, run, purpose }
    check: { snapshot: null, error: null }, // the check panel's weights (messages.js) and why the last request failed
    errors: {}, // field (or '' for general) -> { message, note }
    notices: [], // what became of the link's values (unknown, refused, clamped): shown at the top until dismissed
    framesDrawn: 0,
    ...emptyExperiment(),
    rev: { config: 0, frame: 0, boundary: 0, neurons: 0, events: 0, errors: 0, notices: 0, status: 0, connection: 0, models: 0 },
  };
  const listeners = new Set();

  return {
    state,
    /** Change the state in `mutate`, naming the parts that changed; views are told once per animation frame. */
    update(parts, mutate) {
      mutate(state);
      for (const part of parts) state.rev[part] += 1;
      for (const listener of listeners) listener(state);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
