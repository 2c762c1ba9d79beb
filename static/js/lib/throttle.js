// Views whose numbers change every frame redraw at most a few times a second: numbers that change 30 times a
// second cannot be read.

export const REFRESH_MS = 250;

/**
 * `tooSoon()` is true when the last drawing was less than REFRESH_MS ago; it then asks for one more drawing
 * when the time is up (calling `later` first), so the last numbers are always shown.
 */
export function createThrottle(requestDraw, later = () => {}) {
  let lastDrawn = 0;
  let timer = null;
  return {
    tooSoon() {
      const now = performance.now();
      if (now - lastDrawn < REFRESH_MS) {
        timer ??= setTimeout(() => { timer = null; later(); requestDraw(); }, REFRESH_MS - (now - lastDrawn));
        return true;
      }
      lastDrawn = now;
      return false;
    },
    drawn() {
      lastDrawn = performance.now();
    },
  };
}
