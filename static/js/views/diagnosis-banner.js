// View 7: a banner in plain words when runs diverge, collapse or sit on a long plateau: what happened, why, and
// what to try.
// Runs stuck for the same reasons share one entry. A collapse that ended after all (the run converged later)
// is no longer claimed: its entry says that the plateau ended by itself.

import { formatStep } from '../lib/format.js';
import { runsOf } from '../run-kinds.js';

/** Runs with the same diagnosis share one entry: same kind of event, same headline, same causes and fix. Not the
 * detail: runs stuck for one reason differ in its numbers, and a diverged run's names its own step. */
function groupKey(event) {
  if (event.resolved) return `resolved|${event.run}`;
  return [event.event, event.cause, event.headline, event.suggestion ?? '', ...(event.causes ?? []).map((c) => c.id)].join('|');
}

/** A run reported collapsed that reached its labels later: information, not an error. */
function resolvedItem(event, name) {
  const item = document.createElement('article');
  item.className = 'diagnosis-item resolved';
  const title = document.createElement('h2');
  title.textContent = `Out of the plateau after all: ${name} (step ${formatStep(event.resolved.step)})`;
  const message = document.createElement('p');
  message.className = 'message';
  message.textContent = `Reported as “${event.headline}” at step ${formatStep(event.step)}, `
    + `it reached its labels at step ${formatStep(event.resolved.step)}: that plateau ended by itself, `
    + 'it was not a collapse.';
  item.append(title, message);
  return item;
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
      const names = events.map((e) => runs.find((r) => r.id === e.run)?.name ?? e.run).join(', ');
      if (first.resolved) {
        section.append(resolvedItem(first, names));
        continue;
      }
      const item = document.createElement('article');
      item.className = `diagnosis-item ${first.event}`;
      item.dataset.cause = first.cause;
      const title = document.createElement('h2');
      title.textContent = `${first.headline}: ${names} (step ${formatStep(first.step)})`;
      item.append(title);
      if (first.detail) {
        const message = document.createElement('p');
        message.className = 'message';
        message.textContent = first.detail;
        item.append(message);
      }
      // The main cause is in the detail already; the list gives the others.
      const causes = (first.causes ?? []).filter((cause) => cause.id !== first.cause);
      if (causes.length) {
        const list = document.createElement('ul');
        list.className = 'causes';
        const suggested = new Set([first.suggestion]); // each suggestion once: causes often share the main one
        for (const cause of causes) {
          const li = document.createElement('li');
          li.dataset.cause = cause.id;
          li.textContent = cause.detail;
          if (cause.suggestion && !suggested.has(cause.suggestion)) li.textContent += ` Try: ${cause.suggestion}`;
          suggested.add(cause.suggestion);
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
