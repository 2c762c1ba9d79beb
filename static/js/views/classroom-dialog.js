// The "Classroom link" dialog, opened from the Share group: the lesson a student's page opens, the controls it hides
// or locks, a short note, and the view choices (log scale, the run drawn, math or code, playing on open). It shows
// the link as it is being made and copies it. The link carries the experiment as it runs now, or only the lesson
// (which then opens at its own start), with classroom.js's fields.

import { CONTROLS, NOTE_MAX, isClassroomKey } from '../classroom.js';
import { button, element, option, transientText } from '../lib/dom.js';
import { runsOf } from '../run-kinds.js';
import { settingLabel, toHash } from '../settings.js';
import { copyLink } from '../share.js';

/** The hash of a classroom link: these settings with the `choices`; with a lesson, only the lesson and the choices. */
export function classroomHash(settings, choices) {
  const hash = toHash({ ...settings, ...choices });
  if (!choices.lesson) return hash;
  const kept = hash.slice(1).split('&').filter((pair) => {
    const key = pair.split('=')[0];
    return key === 'lesson' || isClassroomKey(key);
  });
  return '#' + kept.join('&');
}

const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);

function labelled(text, control) {
  const label = element('label', 'classroom-choice');
  label.append(control, ` ${text}`);
  return label;
}

function checkbox(id) {
  const box = document.createElement('input');
  box.type = 'checkbox';
  if (id) box.id = id;
  return box;
}

/**
 * `dialog`: an empty <dialog>; `opener`: the button that opens it. `current()` gives what the page shows now:
 * { settings, classroom: linkFields(), view, lesson, hello, configured }; `lessons`: the lessons' list.
 */
export function createClassroomDialog({ dialog, opener, lessons, current }) {
  const title = element('h2', '', 'Make a classroom link');
  title.id = 'classroom-title';
  dialog.setAttribute('aria-labelledby', title.id);
  const intro = element('p', 'card-note', 'Students who open the link get this experiment (or the lesson) with the ' +
    'controls you choose hidden or locked. Anyone can still edit a link by hand: this tidies the page, it does not ' +
    'enforce anything.');

  const lesson = document.createElement('select');
  lesson.id = 'classroom-lesson';
  lesson.append(option('0', 'none: this experiment, as it is now'),
    ...lessons.map((item) => option(String(item.number), `${item.number}. ${item.title}`)));
  const lessonRow = element('div', 'field');
  lessonRow.append(labelledBy('Lesson to open', lesson));

  // One row per control: its name, then a "hide" and a "lock" box, each named for screen readers.
  const table = element('table', 'classroom-controls');
  const caption = element('caption', '', 'Controls on the student’s page');
  const head = element('tr');
  head.append(...['Control', 'Hide', 'Lock'].map((text) => Object.assign(element('th', '', text), { scope: 'col' })));
  table.append(caption, element('thead'), element('tbody'));
  table.tHead.append(head);
  const boxes = {};
  for (const name of CONTROLS) {
    const row = element('tr');
    const hide = checkbox();
    const lock = checkbox();
    const label = capitalised(settingLabel(name));
    hide.setAttribute('aria-label', `Hide ${label}`);
    lock.setAttribute('aria-label', `Lock ${label}`);
    hide.dataset.hide = name;
    lock.dataset.lock = name;
    const cells = [element('th', '', label), element('td'), element('td')];
    cells[0].scope = 'row';
    cells[1].append(hide);
    cells[2].append(lock);
    row.append(...cells);
    table.tBodies[0].append(row);
    boxes[name] = { hide, lock };
  }

  const note = document.createElement('textarea');
  note.id = 'classroom-note-text';
  note.rows = 2;
  note.maxLength = NOTE_MAX;
  const noteHint = element('p', 'hint', `Shown at the top of the page, as plain text; at most ${NOTE_MAX} characters.`);
  noteHint.id = 'classroom-note-hint';
  note.setAttribute('aria-describedby', noteHint.id);
  const noteRow = element('div', 'field');
  noteRow.append(labelledBy('Note for the students', note), noteHint);

  const log = checkbox('classroom-log');
  const play = checkbox('classroom-play');
  const run = document.createElement('select');
  run.id = 'classroom-run';
  const view = document.createElement('select');
  view.id = 'classroom-view';
  view.append(option('math', 'math'), option('code', 'code (NumPy)'));
  const views = element('fieldset', 'classroom-views');
  views.append(element('legend', '', 'What the page shows'),
    labelled('the loss chart on a log scale', log), labelledBy('The network drawing shows', run),
    labelledBy('The equations as', view), labelled('start playing when the page opens', play));

  const url = document.createElement('input');
  url.id = 'classroom-url';
  url.readOnly = true;
  const status = element('span', 'share-status');
  status.setAttribute('role', 'status');
  const say = transientText(status);
  const copy = button('Copy', 'primary', () => copyLink(url.value, { status, onCopied: () => say('Classroom link copied.') }));
  copy.id = 'classroom-copy';
  const close = button('Close', '', () => dialog.close());
  close.id = 'classroom-close';
  const output = element('div', 'field classroom-output');
  output.append(labelledBy('The link', url), copy, close, status);

  const form = element('form', 'classroom-form');
  form.method = 'dialog';
  form.append(title, intro, lessonRow, table, noteRow, views, output);
  dialog.replaceChildren(form);
  form.addEventListener('submit', (event) => event.preventDefault());

  function labelledBy(text, control) {
    const label = element('label', '', text);
    label.htmlFor = control.id;
    const box = element('span', 'classroom-labelled');
    box.append(label, control);
    return box;
  }

  /** The runs the student's page will run: the chosen lesson's, or this experiment's. */
  function fillRuns(now, chosen) {
    const item = lessons.find((l) => l.number === Number(lesson.value));
    const runs = item ? runsOf({ config: item.preset }) : runsOf(now.configured);
    const idOf = (r) => now.hello?.run_kinds[r.kind]?.short_id ?? r.id;
    run.replaceChildren(option('', 'the first run'), ...runs.map((r) => option(idOf(r), r.name ?? r.kind)));
    run.value = runs.some((r) => idOf(r) === chosen) ? chosen : '';
  }

  function choices() {
    const named = (key) => CONTROLS.filter((name) => boxes[name][key].checked);
    return {
      lesson: Number(lesson.value), hide: named('hide'), lock: named('lock'), note: note.value.trim(),
      log: log.checked, run: run.value, view: view.value, play: play.checked,
    };
  }

  function update() {
    for (const name of CONTROLS) boxes[name].lock.disabled = boxes[name].hide.checked; // hidden wins
    const now = current();
    url.value = location.href.split('#')[0] + classroomHash(now.settings, choices());
  }

  function open() {
    const now = current();
    lesson.value = String(now.lesson ?? 0);
    for (const name of CONTROLS) {
      boxes[name].hide.checked = now.classroom.hide.includes(name);
      boxes[name].lock.checked = now.classroom.lock.includes(name);
    }
    note.value = now.classroom.note;
    log.checked = now.classroom.log;
    play.checked = now.classroom.play;
    view.value = now.view;
    fillRuns(now, now.classroom.run);
    status.textContent = '';
    update();
    dialog.showModal();
  }

  form.addEventListener('input', update);
  form.addEventListener('change', (event) => {
    if (event.target === lesson) fillRuns(current(), run.value);
    update();
  });
  opener.addEventListener('click', open);
  dialog.addEventListener('close', () => opener.focus());
  opener.disabled = false;
  return { open };
}
