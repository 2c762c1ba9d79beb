// window.backpropLab: a read-only look at the store for tests and the curious (every read is a copy).

export function exposeStore(store) {
  const copy = (value) => (value === undefined ? undefined : structuredClone(value));
  const state = () => store.state;
  const view = {
    get connection() { return state().connection; },
    get playing() { return state().status.playing; },
    get step() { return state().status.step; },
    get config() { return copy(state().lastConfigure); }, // the last `configure` message sent
    get configured() { return copy(state().configured); },
    get frame() { return copy(state().frame); },
    get converged() { return copy(state().converged); },
    get diagnoses() { return copy(state().diagnoses); },
    get gradcheck() { return copy(state().gradcheck); },
    get errors() { return copy(state().errors); },
    get notices() { return copy(state().notices); }, // notes about the link's values
    get models() { return copy(state().models); }, // run id -> the latest save (and any save/model error)
    get lossPoints() { return state().series?.steps.length ?? 0; },
    get framesDrawn() { return state().framesDrawn; },
  };
  Object.defineProperty(window, 'backpropLab', { value: Object.freeze(view), writable: false, configurable: false });
}
