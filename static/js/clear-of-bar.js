// On a phone the transport bar is fixed over the bottom of the page. style.css's scroll-padding keeps a control
// reached by Tab clear of it, but of a text box the browser brings only the caret into view, so the rest of the
// box may stay under the bar: it is scrolled clear here, never past the box's own top.

const GAP = 8; // px between the focused box and the bar

export function keepFocusClearOf(bar) {
  document.addEventListener('focusin', (event) => {
    requestAnimationFrame(() => { // after the browser's own scroll to the focused element
      if (document.activeElement !== event.target || getComputedStyle(bar).position !== 'fixed') return;
      const box = event.target.getBoundingClientRect();
      const { top, bottom } = bar.getBoundingClientRect();
      if (box.bottom <= top || box.top >= bottom) return;
      scrollBy(0, Math.min(box.bottom - top + GAP, box.top - GAP));
    });
  });
}
