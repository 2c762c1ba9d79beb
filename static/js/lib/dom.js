// Building the page's elements in one line each.

/** A new element with an optional class name and text. */
export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A button that never submits a form, calling `onClick` when pressed. */
export function button(text, className, onClick) {
  const node = element('button', className, text);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

/** A menu's option, greyed out when it cannot be chosen. */
export function option(value, text, disabled = false) {
  const node = new Option(text, value);
  node.disabled = disabled;
  return node;
}

/** A function that shows a short status (“Link copied.”) in `node`, cleared after `ms`. */
export function transientText(node, ms = 4000) {
  let timer;
  return (text) => {
    node.textContent = text;
    clearTimeout(timer);
    timer = setTimeout(() => { node.textContent = ''; }, ms);
  };
}

// One observer for every such box: a box taken out of the page gets a last callback (its size drops to 0) and is
// forgotten then, so boxes re-rendered many times a second leave nothing behind.
let scrollables = null;
function tabStopWhileScrolling(entries) {
  for (const { target } of entries) {
    if (!target.isConnected) scrollables.unobserve(target);
    else if (target.scrollWidth > target.clientWidth + 1) target.tabIndex = 0;
    else target.removeAttribute('tabindex');
  }
}

/**
 * Makes a box that may scroll sideways reachable from the keyboard while it does scroll: a tab stop, which arrow
 * keys then scroll; with a `label`, a named region. A box whose content fits adds no tab stop.
 */
export function keyboardScrollable(box, label = null) {
  if (label) {
    box.setAttribute('role', 'region');
    box.setAttribute('aria-label', label);
  }
  scrollables ??= new ResizeObserver(tabStopWhileScrolling);
  scrollables.observe(box);
  return box;
}
