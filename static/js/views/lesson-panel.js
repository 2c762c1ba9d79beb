// The Lessons panel: the list of lessons, and the open one's words, equations, what will happen, its live
// numbers (lesson-numbers.js), one "Try this" action, and the way to the previous and next lessons.
// It applies nothing itself: choosing and trying go to main.js, which drives the form and the socket.

import { element } from '../lib/dom.js';
import { renderTex } from '../lib/tex.js';
import { createThrottle } from '../lib/throttle.js';
import { drawLessonNumbers } from './lesson-numbers.js';

function button(text, className, onClick) {
  const node = element('button', className, text);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

export function createLessonPanel({ section, toggle, lessons, derivationUrl, onChoose, onTry, onClose, requestDraw }) {
  let current = 0; // the open lesson's number; 0 when none is
  let numbersBox = null;
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
      'Six short lessons, each on a network you can watch: choose one to set the dashboard up for it. ' +
      'Each says what will happen, shows the numbers behind it live, and gives you one thing to try.'));
    numbersBox = null;
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
    body.replaceChildren(build(lesson));
    seen.lesson = -1;
    requestDraw();
  }

  function build(lesson) {
    const article = element('article', 'lesson');
    article.setAttribute('aria-labelledby', 'lesson-title');
    const title = element('h3', 'lesson-title', `${lesson.number}. ${lesson.title}`);
    title.id = 'lesson-title';
    title.tabIndex = -1; // focused when the lesson opens, so the keyboard starts here

    const words = element('div', 'lesson-words');
    for (const paragraph of lesson.text) words.append(element('p', '', paragraph));
    const equations = element('div', 'lesson-equations');
    equations.setAttribute('aria-label', 'The equation');
    for (const tex of lesson.equations) {
      const node = element('div', 'tex');
      renderTex(node, tex, true);
      equations.append(node);
    }
    const claims = element('div', 'lesson-claims');
    const claimList = element('ul');
    for (const claim of lesson.claims) {
      const item = element('li', '', claim.text);
      item.dataset.claim = claim.id;
      claimList.append(item);
    }
    claims.append(element('h4', '', 'What you will see'), claimList);
    words.append(equations, claims);

    const numbers = element('section', 'lesson-numbers');
    numbers.setAttribute('aria-labelledby', 'lesson-numbers-title');
    const numbersTitle = element('h4', '', 'The live numbers');
    numbersTitle.id = 'lesson-numbers-title';
    numbersBox = element('div', 'lesson-numbers-body');
    numbers.append(numbersTitle, numbersBox);

    const actions = element('div', 'lesson-actions');
    const tryThis = button(`Try this: ${lesson.try_this.label}`, 'primary lesson-try', () => onTry(lesson));
    tryThis.id = 'lesson-try';
    const previous = button('← Previous', 'lesson-previous', () => choose(lesson.number - 1));
    previous.id = 'lesson-previous';
    previous.disabled = !find(lesson.number - 1);
    const next = button('Next lesson →', 'lesson-next', () => choose(lesson.number + 1));
    next.id = 'lesson-next';
    next.disabled = !find(lesson.number + 1);
    const derivation = element('a', 'lesson-derivation', 'Read the derivation');
    derivation.id = 'lesson-derivation';
    derivation.href = `${derivationUrl}#${lesson.derivation}`;
    derivation.target = '_blank';
    derivation.rel = 'noopener';
    actions.append(tryThis, previous, next, derivation);

    const columns = element('div', 'lesson-columns');
    columns.append(words, numbers);
    article.append(title, columns, actions);
    return article;
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
      seen = { config: state.rev.config, frame: state.rev.frame, events: state.rev.events, lesson: current };
      drawLessonNumbers(numbersBox, find(current), state);
    },
  };
}
