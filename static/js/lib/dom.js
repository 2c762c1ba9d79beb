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
