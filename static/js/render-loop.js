// Draws the views at most once per animation frame, however many messages arrived since the last one.

export function createRenderLoop(store, initialViews = []) {
  let views = initialViews;
  let queued = false;

  function drawAll() {
    queued = false;
    for (const view of views) {
      try {
        view.draw(store.state);
      } catch (error) {
        console.error('a view failed to draw', error); // one broken view must not stop the others
      }
    }
    store.state.framesDrawn += 1;
  }

  function requestDraw() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(drawAll);
  }

  store.subscribe(requestDraw);
  return {
    requestDraw,
    setViews(list) {
      views = list;
      requestDraw();
    },
  };
}
