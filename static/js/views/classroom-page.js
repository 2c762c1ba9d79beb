// A classroom link on the page: the controls it hides (their rows, labels included) or locks (disabled, with a note
// saying why), the teacher's note at the top, and the view choices it opens with: the loss chart's scale and the run
// whose network is drawn. `linkFields()` gives back what the link should now say, for main.js's setLink.

import { CONTROL_ROWS } from '../classroom.js';
import { element } from '../lib/dom.js';

const LOCKED = 'Locked by your teacher’s link.';
const CONTROLS_INSIDE = 'input, select, textarea, button';

/** `root`: where the controls live (the document); `onChange()`: the visitor changed a view choice. */
export function createClassroomPage({ root, noteBox, lossToggle, runSelect, onChange }) {
  let link = { hide: [], lock: [], note: '', play: false };
  let chosenRun = ''; // the run the link or the visitor chose; '' leaves the network view its first run
  // Rows drawn again (a dataset's parameters, the output-layer list) and controls enabled by their own code stay locked.
  const observer = new MutationObserver(() => lockControls());

  function lockControls() {
    for (const row of root.querySelectorAll('[data-classroom="locked"]')) {
      for (const control of row.querySelectorAll(CONTROLS_INSIDE)) {
        if (control.disabled) continue;
        control.disabled = true;
        control.dataset.classroomLocked = '';
      }
    }
  }

  /** Undo what the previous link did, so that a new link (or none) starts from the page as it was. */
  function release() {
    observer.disconnect();
    for (const control of root.querySelectorAll('[data-classroom-locked]')) {
      control.disabled = false;
      delete control.dataset.classroomLocked;
    }
    for (const part of root.querySelectorAll('[data-classroom]')) {
      if (part.dataset.classroom === 'hidden') part.hidden = false;
      delete part.dataset.classroom;
    }
    for (const note of root.querySelectorAll('.classroom-lock')) note.remove();
  }

  function mark(part, how) {
    if (how === 'hidden') {
      if (part.hidden) return; // hidden by its own code: not ours to show again
      part.hidden = true;
    }
    part.dataset.classroom = how;
  }

  /** A fieldset whose every row is hidden goes too, legend and all. */
  function hideEmptyGroups() {
    for (const group of root.querySelectorAll('#settings fieldset:not([data-field])')) {
      const rows = [...group.children].filter((child) => child.tagName !== 'LEGEND');
      if (rows.length && rows.every((row) => row.hidden)) mark(group, 'hidden');
    }
  }

  function apply(settings) {
    release();
    const hide = settings.hide ?? [];
    link = { hide, lock: (settings.lock ?? []).filter((name) => !hide.includes(name)), note: settings.note ?? '',
      play: Boolean(settings.play) };
    for (const name of hide) for (const row of root.querySelectorAll(CONTROL_ROWS[name])) mark(row, 'hidden');
    for (const name of link.lock) {
      const rows = [...root.querySelectorAll(CONTROL_ROWS[name])];
      rows.forEach((row) => mark(row, 'locked'));
      rows[0]?.append(element('p', 'classroom-lock', LOCKED));
    }
    hideEmptyGroups();
    lockControls();
    for (const row of root.querySelectorAll('[data-classroom="locked"]')) {
      observer.observe(row, { subtree: true, childList: true, attributes: true, attributeFilter: ['disabled'] });
    }
    noteBox.querySelector('p').textContent = link.note; // text, never HTML
    noteBox.hidden = link.note === '';
  }

  let opening = false; // the link's own choices are written into the address once the server accepts the link
  function setLossScale(log) {
    if (lossToggle.checked === log) return;
    lossToggle.checked = log;
    opening = true;
    lossToggle.dispatchEvent(new Event('change'));
    opening = false;
  }

  /** The link's view choices, once the form and any lesson are set up: a lesson keeps its own scale unless the link
   * asks for the log scale. The network view keeps a chosen run while it rebuilds its menu (its `previous`). */
  function showViews(settings, { lessonOpen }) {
    if (settings.log || !lessonOpen) setLossScale(Boolean(settings.log));
    chosenRun = settings.run ?? '';
    if (!chosenRun) return;
    if (![...runSelect.options].some((option) => option.value === chosenRun)) runSelect.append(new Option(chosenRun, chosenRun));
    runSelect.value = chosenRun;
  }

  lossToggle.addEventListener('change', () => opening || onChange());
  runSelect.addEventListener('change', () => {
    chosenRun = runSelect.value;
    onChange();
  });

  return {
    apply,
    showViews,
    /** Play as soon as the experiment runs (the link's play=1). */
    playsOnOpen: () => link.play,
    /** What the link should say about the classroom and the views now. */
    linkFields: () => ({ ...link, log: lossToggle.checked, run: chosenRun }),
  };
}
