// The Lessons panel: the list of lessons, opening and closing it, and the open lesson's page (lesson-page.js)
// with its live numbers (lesson-numbers.js).
// It applies nothing itself: choosing and trying go to main.js, which drives the form and the socket.

import { button, element } from '../lib/dom.js';
import { createThrottle } from '../lib/throttle.js';
import { drawLessonNumbers } from './lesson-numbers.js';
import { lessonPage } from './lesson-page.js';

/** The parts of a configuration a lesson's claims depend on, comparable as text (dataset parameters with their
 * defaults filled in, keys sorted). Not the example shown, nor the speed: the claims hold whichever. */
export function claimedSetup(config, hello) {
  const dataset = hello?.datasets.find((d) => d.name === config.dataset.name);
  const params = { ...config.dataset.params };
  for (const param of dataset?.params ?? []) params[param.name] ??= param.default;
  const sorted = (value) => (value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted(value[key])]))
    : Array.isArray(value) ? value.map(sorted) : value);
  const { network, runs, optimizer } = config;
  return JSON.stringify(sorted({ dataset: { ...config.dataset, params }, network, runs, optimizer,
    batch_size: config.batch_size ?? null, start: config.start ?? null }));
}

/** A lesson's scale for the loss chart: the one its claims are seen on. */
function showLossScale(lesson) {
  const toggle = document.getElementById('loss-log');
  const log = lesson.loss_scale === 'log';
  if (!toggle || toggle.checked === log) return;
  toggle.checked = log;
  toggle.dispatchEvent(new Event('change'));
}

// Where each lesson's claims are seen once "Try this" has run: a chart card, or the lesson's own live numbers.
const CLAIM_VIEWS = {
  'per-example-gradients': 'outputs-charts', 'averaged-too-early': 'outputs-charts', 'stuck-outputs': 'outputs-charts',
  deltas: 'loss-chart', diagnosis: 'loss-chart', jacobian: null, gradcheck: null,
};

/** Scroll the claim's view into sight, unless it is already whole on screen. */
function showClaimView(lesson, numbersBox) {
  const id = CLAIM_VIEWS[lesson.numbers];
  const view = id ? document.getElementById(id)?.closest('.card') : numbersBox;
  const box = view?.getBoundingClientRect();
  if (!box || (box.top >= 0 && box.bottom <= innerHeight)) return;
  view.scrollIntoView({ block: 'start' });
}

export function createLessonPanel({ section, toggle, lessons, derivationUrl, onChoose, onTry, onClose, requestDraw }) {
  let current = 0; // the open lesson's number; 0 when none is
  let numbersBox = null;
  let presetNote = null;
  let seen = { config: -1, frame: -1, events: -1, lesson: -1 };
  const throttle = createThrottle(requestDraw);

  const find = (number) => lessons.find((lesson) => lesson.number === number);

  const head = element('div', 'lessons-head');
  const heading = element('h2', '', 'Lessons');
  heading.id = 'lessons-heading';
  heading.tabIndex = -1;
  const list = element('ol', 'lesson-list');
  list.setAttribute('aria-label', 'Lessons');
  const close = button('Close lessons', 'small', () => setOpen(false));
  close.id = 'lessons-close';
  head.append(heading, list, close);
  const body = element('div', 'lesson-body');
  section.append(head, body);

  for (const lesson of lessons) {
    const item = element('li');
    const choice = button(`${lesson.number}. ${lesson.title}`, 'lesson-choice', () => choose(lesson.number));
    choice.dataset.lesson = String(lesson.number);
    item.append(choice);
    list.append(item);
  }
  if (lessons.length === 0) body.append(element('p', 'card-note', 'The lessons could not be loaded: reload the page to try again.'));
  else showIntro();

  function showIntro() {
    body.replaceChildren(element('p', 'lesson-intro',
      'Seven short lessons, each on a network you can watch: choose one to set the dashboard up for it. ' +
      'Each says what will happen, shows the numbers behind it live, and gives you one thing to try.'));
    numbersBox = null;
    presetNote = null;
  }

  function choose(number) {
    const lesson = find(number);
    if (!lesson) return;
    show(number);
    onChoose(lesson);
    section.querySelector('#lesson-title')?.focus();
  }

  /** Show a lesson's page without applying its preset (a link already set the experiment up). */
  function show(number) {
    const lesson = find(number);
    if (!lesson) return;
    current = number;
    section.dataset.lesson = String(number);
    setOpen(true, { focus: false });
    for (const choice of list.querySelectorAll('button')) {
      if (choice.dataset.lesson === String(number)) choice.setAttribute('aria-current', 'step');
      else choice.removeAttribute('aria-current');
    }
    const tryThis = (tried) => {
      onTry(tried);
      showClaimView(tried, numbersBox);
    };
    const page = lessonPage(lesson, { hasLesson: (n) => Boolean(find(n)), choose, onTry: tryThis, derivationUrl });
    numbersBox = page.numbersBox;
    presetNote = page.presetNote;
    showLossScale(lesson);
    body.replaceChildren(page.article);
    seen.lesson = -1;
    requestDraw();
  }

  function setOpen(open, { focus = true } = {}) {
    const wasOpen = !section.hidden;
    section.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open && !wasOpen && focus) {
      // Back to the open lesson, or to the first choice of the list.
      (current ? section.querySelector('#lesson-title') : list.querySelector('button'))?.focus();
    }
    if (!open && wasOpen) {
      current = 0;
      delete section.dataset.lesson;
      delete section.dataset.preset;
      showIntro();
      for (const choice of list.querySelectorAll('button')) choice.removeAttribute('aria-current');
      onClose();
      if (focus) toggle.focus();
    }
  }

  toggle.addEventListener('click', () => setOpen(section.hidden));
  toggle.disabled = false;

  return {
    current: () => current,
    show,
    /** End the open lesson and hide the panel, leaving the focus where it is. */
    close: () => setOpen(false, { focus: false }),
    draw(state) {
      if (!numbersBox || !state.configured || !state.frame) return;
      const changed = seen.config !== state.rev.config || seen.frame !== state.rev.frame ||
        seen.events !== state.rev.events || seen.lesson !== current;
      if (!changed) return;
      if (seen.lesson !== current) throttle.drawn();
      else if (throttle.tooSoon()) return;
      const lesson = find(current);
      const own = claimedSetup(state.configured.config, state.hello) === claimedSetup(lesson.preset, state.hello);
      presetNote.hidden = own;
      section.dataset.preset = own ? 'own' : 'changed';
      seen = { config: state.rev.config, frame: state.rev.frame, events: state.rev.events, lesson: current };
      drawLessonNumbers(numbersBox, lesson, state);
    },
  };
}
