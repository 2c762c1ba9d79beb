// A DOM for the dashboard's modules under Node: linkedom's document as the global one, as in a browser.

import { parseHTML } from 'linkedom';

export function installDom(body = '') {
  const { window, document } = parseHTML(`<!doctype html><html><body>${body}</body></html>`);
  globalThis.window = window;
  globalThis.document = document;
  globalThis.Node = window.Node;
  return document;
}
