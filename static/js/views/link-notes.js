// What became of the link's values, at the top of the page: a value the dashboard does not know, one the server
// refused (and the default used instead), a speed above this server's limit. They stay until dismissed.

export function createLinkNotes({ section, onDismiss }) {
  let seen = -1;
  const list = document.createElement('ul');
  const dismiss = document.createElement('button');
  dismiss.type = 'button';
  dismiss.className = 'dismiss';
  dismiss.textContent = 'Dismiss';
  dismiss.addEventListener('click', onDismiss);
  const title = document.createElement('h2');
  title.textContent = 'The link was not used exactly as written';
  section.append(title, list, dismiss);
  return {
    draw(state) {
      if (seen === state.rev.notices) return;
      seen = state.rev.notices;
      list.replaceChildren(...state.notices.map((text) => {
        const item = document.createElement('li');
        item.textContent = text;
        return item;
      }));
      section.hidden = state.notices.length === 0;
    },
  };
}
