// View 7: a banner in plain words when runs diverge, collapse or sit on a long plateau: what happened, why, and
// what to try.
// Runs stuck for the same reasons share one entry. A collapse that ended after all (the run converged later)
// is no longer claimed: its entry says that the plateau ended by itself.

import { button, element } from '../lib/dom.js';
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
  const item = element('article', 'diagnosis-item resolved');
  item.append(
    element('h2', '', `Out of the plateau after all: ${name} (step ${formatStep(event.resolved.step)})`),
    element('p', 'message', `Reported as “${event.headline}” at step ${formatStep(event.step)}, `
      + `it reached its labels at step ${formatStep(event.resolved.step)}: that plateau ended by itself, `
      + 'it was not a collapse.'),
  );
  return item;
}

/** One diagnosis shared by the runs `names`: headline, detail, the other causes, and what to try. */
function diagnosisItem(first, names) {
  const item = element('article', `diagnosis-item ${first.event}`);
  item.dataset.cause = first.cause;
  item.append(element('h2', '', `${first.headline}: ${names} (step ${formatStep(first.step)})`));
  if (first.detail) item.append(element('p', 'message', first.detail));
  // The main cause is in the detail already; the list gives the others.
  const causes = (first.causes ?? []).filter((cause) => cause.id !== first.cause);
  if (causes.length) {
    const list = element('ul', 'causes');
    const suggested = new Set([first.suggestion]); // each suggestion once: causes often share the main one
    for (const cause of causes) {
      const said = !cause.suggestion || suggested.has(cause.suggestion);
      const li = element('li', '', said ? cause.detail : `${cause.detail} Try: ${cause.suggestion}`);
      li.dataset.cause = cause.id;
      suggested.add(cause.suggestion);
      list.append(li);
    }
    item.append(list);
  }
  if (first.suggestion) {
    const suggestion = element('p', 'suggestion');
    suggestion.append(element('strong', '', 'What to try: '), first.suggestion);
    item.append(suggestion);
  }
  return item;
}

export function createDiagnosisBanner({ section }) {
  let seen = { config: -1, events: -1 };
  // The diagnoses dismissed, by object: one that changes later (a collapse resolved: messages.js gives it a new
  // object) is news again, and shows.
  let dismissed = new WeakSet();

  function render(state) {
    const fresh = state.diagnoses.filter((d) => !dismissed.has(d));
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
      section.append(first.resolved ? resolvedItem(first, names) : diagnosisItem(first, names));
    }
    section.append(button('Dismiss', 'dismiss', () => {
      for (const d of state.diagnoses) dismissed.add(d);
      render(state);
    }));
  }

  return {
    draw(state) {
      if (seen.config !== state.rev.config) dismissed = new WeakSet();
      if (seen.config === state.rev.config && seen.events === state.rev.events) return;
      seen = { config: state.rev.config, events: state.rev.events };
      render(state);
    },
  };
}
