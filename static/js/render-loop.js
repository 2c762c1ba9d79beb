// Draws the views at most once per animation frame, however many messages arrived since the last one.
// A view with an `element` is not drawn while that element is off screen: its canvases and DOM would be redrawn
// for nobody. It draws the latest state when it comes back into view (views draw what changed since they last
// looked, so nothing is lost meanwhile). Off screen it is still drawn for a new experiment until it has shown
// one frame of it, so its parts exist (and read right to screen readers and page search).

const MARGIN = '0px'; // the viewport itself: a view that scrolls in draws in the next animation frame

export function createRenderLoop(store, initialViews = []) {
  let views = initialViews;
  let queued = false;
  let framesShown = 0; // drawings that showed a new frame: the frame-rate feedback compares them with arrivals
  let lastFrame = -1;
  const offScreen = new Set(); // elements reported outside the viewport
  const shownExperiment = new WeakMap(); // view -> the config rev it has drawn with a frame
  const watcher = typeof IntersectionObserver === 'function'
    ? new IntersectionObserver((entries) => {
      let cameBack = false;
      for (const entry of entries) {
        if (entry.isIntersecting) cameBack = offScreen.delete(entry.target) || cameBack;
        else offScreen.add(entry.target);
      }
      if (cameBack) requestDraw();
    }, { rootMargin: MARGIN })
    : null;

  function drawAll() {
    queued = false;
    for (const view of views) {
      if (view.element && offScreen.has(view.element) && shownExperiment.get(view) === store.state.rev.config) continue;
      try {
        view.draw(store.state);
        if (store.state.frame) shownExperiment.set(view, store.state.rev.config);
      } catch (error) {
        console.error('a view failed to draw', error); // one broken view must not stop the others
      }
    }
    store.state.framesDrawn += 1;
    if (store.state.rev.frame !== lastFrame) {
      lastFrame = store.state.rev.frame;
      framesShown += 1;
    }
  }

  function requestDraw() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(drawAll);
  }

  function watch(list) {
    if (!watcher) return;
    watcher.disconnect();
    offScreen.clear();
    for (const view of list) if (view.element) watcher.observe(view.element);
  }

  store.subscribe(requestDraw);
  watch(views);
  return {
    requestDraw,
    framesShown: () => framesShown,
    setViews(list) {
      views = list;
      watch(list);
      requestDraw();
    },
  };
}
