// The runs at a glance: colour, name, current loss, and a badge once a run reaches its labels or diverges.
// Each run also has its model's buttons: save it in the model store, or download it as JSON.

import { formatNumber, formatStep } from '../lib/format.js';
import { runsOf } from '../run-kinds.js';
import { runName } from './run-name.js';

const ACTIONS = { save: 'Save', model: 'Download' };

const percent = (share) => (share === null || share === undefined ? '–' : `${formatNumber(100 * share, 3)} %`);
/** " / test 0.412" beside a training number, when there is a test part. */
const testText = (value, format) => (value === null || value === undefined ? '' : ` / test ${format(value, 3)}`);

export function createRunKey({ list, onSave, onDownload }) {
  let items = [];
  let seen = { config: -1, frame: -1, events: -1, models: -1, connection: -1 };

  function button(text, onClick) {
    const node = document.createElement('button');
    node.type = 'button';
    node.className = 'small';
    node.textContent = text;
    node.addEventListener('click', onClick);
    return node;
  }

  function build(state) {
    items = runsOf(state.configured).map((run) => {
      const item = document.createElement('li');
      item.className = `run-key-item${run.mistake ? ' mistake' : ''}`;
      item.style.setProperty('--run-color', run.color);
      item.dataset.run = run.id;
      if (run.mistake) item.dataset.mistake = run.mistake;
      const name = runName(run);
      const loss = document.createElement('span');
      loss.className = 'loss';
      const scores = document.createElement('span');
      scores.className = 'accuracy';
      const badge = document.createElement('span');
      badge.className = 'badge';
      // The buttons keep their short visible names; the group says whose model they act on.
      const actions = document.createElement('div');
      actions.className = 'run-model';
      actions.setAttribute('role', 'group');
      actions.setAttribute('aria-label', `${run.name}: model`);
      const save = button('Save', () => onSave(run.id));
      save.dataset.action = 'save';
      save.setAttribute('aria-label', `Save ${run.name}`); // a screen reader's list of buttons says whose
      const download = button('Download model', () => onDownload(run.id));
      download.dataset.action = 'model';
      download.setAttribute('aria-label', `Download model: ${run.name}`);
      const note = document.createElement('span');
      note.className = 'model-note';
      note.setAttribute('aria-live', 'polite');
      actions.append(save, download, note);
      item.append(name, loss, scores, badge, actions);
      return { run, li: item, loss, scores, badge, save, download, note };
    });
    list.replaceChildren(...items.map(({ li }) => li));
  }

  /** "saved as 'softmax_ce on two-points, step 340'", linked to the stored model; or what went wrong. */
  function writeNote(note, entry) {
    note.replaceChildren();
    note.classList.toggle('error', Boolean(entry?.error));
    if (entry?.error) {
      note.textContent = `${ACTIONS[entry.error.type]} failed: ${entry.error.message}`;
    } else if (entry?.saved) {
      const link = document.createElement('a');
      link.href = `api/models/${entry.saved.id}`; // relative to the page: keeps a root path such as /lab/
      link.target = '_blank'; // a new tab: leaving this page would end the live session
      link.rel = 'noopener';
      link.textContent = `'${entry.saved.name}'`; // the id is random text: the link carries it
      link.title = 'The saved model as JSON';
      note.append('saved as ', link);
    }
  }

  function drawModels(state) {
    const open = state.connection === 'open';
    for (const shown of items) {
      const { run, save, download, note } = shown;
      for (const node of [save, download]) {
        node.disabled = !open;
        // Not disabled while the answer is on its way: that would drop the keyboard focus.
        const waiting = state.modelRequests.some((r) => r.type === node.dataset.action && r.run === run.id
          && r.purpose !== 'check');
        node.setAttribute('aria-busy', String(waiting));
      }
      const entry = state.models[run.id];
      if (shown.entry !== entry) writeNote(note, entry); // entries are replaced, never changed in place
      shown.entry = entry;
    }
  }

  function drawRuns(state) {
    items.forEach(({ run, loss, scores, badge }, r) => {
      const current = state.frame?.runs[r];
      loss.textContent = current ? `loss ${formatNumber(current.loss, 3)}${testText(current.test_loss, formatNumber)}` : '';
      scores.textContent = (current?.accuracy ?? null) !== null ? `accuracy ${percent(current.accuracy)}${testText(current.test_accuracy, percent)}` : '';
      const converged = state.converged[run.id];
      const diverged = current?.status === 'diverged';
      // The badge's line is kept while it is empty, so nothing below it moves when it appears mid-run.
      const shown = converged !== undefined || diverged;
      badge.toggleAttribute('data-shown', shown);
      badge.classList.toggle('bad', diverged);
      badge.textContent = !shown ? '\u00a0' : diverged ? 'diverged: stopped' : `reached the labels at step ${formatStep(converged)}`;
    });
  }

  return {
    draw(state) {
      if (!state.configured) return;
      const { rev } = state;
      const rebuilt = seen.config !== rev.config;
      if (rebuilt) build(state);
      // Notes change only with their own messages: a link in one stays clickable while training runs.
      if (rebuilt || seen.models !== rev.models || seen.connection !== rev.connection) drawModels(state);
      if (rebuilt || seen.frame !== rev.frame || seen.events !== rev.events) drawRuns(state);
      seen = { config: rev.config, frame: rev.frame, events: rev.events, models: rev.models, connection: rev.connection };
    },
  };
}
