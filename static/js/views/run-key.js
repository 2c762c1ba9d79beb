// The runs at a glance: colour, name, current loss, and a badge once a run reaches its labels or diverges.

import { formatNumber, formatStep } from '../lib/format.js';
import { runsOf } from '../run-kinds.js';

export function createRunKey({ list }) {
  let items = [];
  let seen = { config: -1, frame: -1, events: -1 };

  function build(state) {
    items = runsOf(state.configured).map((run) => {
      const item = document.createElement('li');
      item.className = `run-key-item${run.mistake ? ' mistake' : ''}`;
      item.style.setProperty('--run-color', run.color);
      item.dataset.run = run.id;
      const name = document.createElement('span');
      name.className = 'run-name';
      name.textContent = run.name;
      const loss = document.createElement('span');
      loss.className = 'loss';
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.hidden = true;
      item.append(name, loss, badge);
      return { run, loss, badge };
    });
    list.replaceChildren(...items.map(({ loss }) => loss.parentElement));
  }

  return {
    draw(state) {
      if (!state.configured) return;
      if (seen.config !== state.rev.config) build(state);
      else if (seen.frame === state.rev.frame && seen.events === state.rev.events) return;
      seen = { config: state.rev.config, frame: state.rev.frame, events: state.rev.events };
      items.forEach(({ run, loss, badge }, r) => {
        const current = state.frame?.runs[r];
        loss.textContent = current ? `loss ${formatNumber(current.loss, 3)}` : '';
        const converged = state.converged[run.id];
        const diverged = current?.status === 'diverged';
        badge.hidden = converged === undefined && !diverged;
        badge.classList.toggle('bad', diverged);
        badge.textContent = diverged ? 'diverged: stopped' : `reached the labels at step ${formatStep(converged ?? 0)}`;
      });
    },
  };
}
