// View 7: a banner in plain words when runs diverge or collapse: what happened, why, and what to try.
// Runs stuck for the same reasons share one entry.

import { formatStep } from '../lib/format.js';
import { runsOf } from '../run-kinds.js';

const TITLES = {
  collapsed: 'Stuck at the mean label',
  diverged: 'Training blew up and stopped',
};

function groupKey(event) {
  return [event.event, event.suggestion ?? '', ...(event.causes ?? []).map((c) => c.code)].join('|');
}

export function createDiagnosisBanner({ section }) {
  let seen = { config: -1, events: -1 };
  let dismissedCount = 0;

  function render(state) {
    const fresh = state.diagnoses.slice(dismissedCount);
    section.hidden = fresh.length === 0;
    section.replaceChildren();
    if (fresh.length === 0) return;
    const runs = runsOf(state.configured);
    const groups = new Map();
    for (const event of fresh) {
      const key = groupKey(event);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(event);
    }
    for (const events of groups.values()) {
      const first = events[0];
      const item = document.createElement('article');
      item.className = `diagnosis-item ${first.event}`;
      const names = events.map((e) => runs.find((r) => r.id === e.run)?.name ?? e.run).join(', ');
      const title = document.createElement('h2');
      title.textContent = `${TITLES[first.event] ?? first.event}: ${names} (step ${formatStep(first.step)})`;
      const message = document.createElement('p');
      message.className = 'message';
      message.textContent = first.message;
      item.append(title, message);
      const causes = (first.causes ?? []).filter((cause) => !first.message.includes(cause.message));
      if (causes.length) {
        const list = document.createElement('ul');
        list.className = 'causes';
        for (const cause of causes) {
          const li = document.createElement('li');
          li.textContent = cause.message;
          if (cause.suggestion && cause.suggestion !== first.suggestion) li.textContent += ` Try: ${cause.suggestion}`;
          list.append(li);
        }
        item.append(list);
      }
      if (first.suggestion) {
        const suggestion = document.createElement('p');
        suggestion.className = 'suggestion';
        const strong = document.createElement('strong');
        strong.textContent = 'What to try: ';
        suggestion.append(strong, first.suggestion);
        item.append(suggestion);
      }
      section.append(item);
    }
    const dismiss = document.createElement('button');
    dismiss.type = 'button';
    dismiss.className = 'dismiss';
    dismiss.textContent = 'Dismiss';
    dismiss.addEventListener('click', () => {
      dismissedCount = state.diagnoses.length;
      render(state);
    });
    section.append(dismiss);
  }

  return {
    draw(state) {
      if (seen.config !== state.rev.config) dismissedCount = 0;
      if (seen.config === state.rev.config && seen.events === state.rev.events) return;
      if (state.diagnoses.length < dismissedCount) dismissedCount = 0; // a reset cleared them
      seen = { config: state.rev.config, events: state.rev.events };
      render(state);
    },
  };
}
