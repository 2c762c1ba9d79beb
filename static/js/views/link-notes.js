// What became of the link's values, at the top of the page: a value the dashboard does not know or cannot read,
// one the server refused (and the default used instead), a speed above this server's limit. They stay until
// dismissed. Each note names the link's key it is about (data-key; none when it is about the whole link).

import { button, element } from '../lib/dom.js';

export function createLinkNotes({ section, onDismiss }) {
  let seen = -1;
  const list = element('ul');
  section.append(element('h2', '', 'The link was not used exactly as written'), list, button('Dismiss', 'dismiss', onDismiss));
  return {
    draw(state) {
      if (seen === state.rev.notices) return;
      seen = state.rev.notices;
      list.replaceChildren(...state.notices.map(({ key, text }) => {
        const item = element('li', '', text);
        if (key !== null) item.dataset.key = key;
        return item;
      }));
      section.hidden = state.notices.length === 0;
    },
  };
}
