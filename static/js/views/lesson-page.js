// One open lesson's page: its words, equations and claims, the box for its live numbers (lesson-numbers.js fills
// it), "Try this", the previous and next lessons, and the derivation.

import { button, element } from '../lib/dom.js';
import { texBlock } from '../lib/tex.js';

/** Shown when the experiment is no longer the lesson's own: the claims are about that one. */
function presetNote(lesson, choose) {
  const note = element('p', 'lesson-preset-note');
  note.hidden = true;
  note.append(
    'These claims are about the lesson’s own experiment, and this one has been changed (by “Try this” or a setting). ',
    button('Back to the lesson’s experiment', 'small lesson-reset', () => choose(lesson.number)),
  );
  return note;
}

function words(lesson, note) {
  const box = element('div', 'lesson-words');
  for (const paragraph of lesson.text) box.append(element('p', '', paragraph));
  const equations = element('div', 'lesson-equations');
  equations.setAttribute('role', 'group');
  equations.setAttribute('aria-label', 'The equation');
  equations.append(...lesson.equations.map((tex) => texBlock(tex)));
  const claims = element('div', 'lesson-claims');
  const claimList = element('ul');
  for (const claim of lesson.claims) {
    const item = element('li', '', claim.text);
    item.dataset.claim = claim.id;
    claimList.append(item);
  }
  claims.append(element('h4', '', 'What you will see'), note, claimList);
  box.append(equations);
  if (lesson.code) {
    const code = element('pre', 'lesson-code');
    code.tabIndex = 0; // long lines scroll sideways, by keyboard too
    code.append(element('code', '', lesson.code));
    box.append(code);
  }
  box.append(claims);
  return box;
}

/** `hasLesson(number)`: whether there is such a lesson (previous, next); `choose(number)` opens one. */
function actions(lesson, { hasLesson, choose, onTry, derivationUrl }) {
  const box = element('div', 'lesson-actions');
  const tryThis = button(`Try this: ${lesson.try_this.label}`, 'primary lesson-try', () => onTry(lesson));
  tryThis.id = 'lesson-try';
  const previous = button('← Previous', 'lesson-previous', () => choose(lesson.number - 1));
  previous.id = 'lesson-previous';
  previous.disabled = !hasLesson(lesson.number - 1);
  const next = button('Next lesson →', 'lesson-next', () => choose(lesson.number + 1));
  next.id = 'lesson-next';
  next.disabled = !hasLesson(lesson.number + 1);
  const derivation = element('a', 'lesson-derivation', 'Read the derivation');
  derivation.id = 'lesson-derivation';
  derivation.href = `${derivationUrl}#${lesson.derivation}`;
  derivation.target = '_blank';
  derivation.rel = 'noopener';
  box.append(tryThis, previous, next, derivation);
  return box;
}

/** The lesson's article, `numbersBox`, where its live numbers go, and `presetNote`, shown when the experiment is
 * not the lesson's own. */
export function lessonPage(lesson, links) {
  const note = presetNote(lesson, links.choose);
  const article = element('article', 'lesson');
  article.setAttribute('aria-labelledby', 'lesson-title');
  const title = element('h3', 'lesson-title', `${lesson.number}. ${lesson.title}`);
  title.id = 'lesson-title';
  title.tabIndex = -1; // focused when the lesson opens, so the keyboard starts here

  const numbers = element('section', 'lesson-numbers');
  numbers.setAttribute('aria-labelledby', 'lesson-numbers-title');
  const numbersTitle = element('h4', '', 'The live numbers');
  numbersTitle.id = 'lesson-numbers-title';
  const numbersBox = element('div', 'lesson-numbers-body');
  numbers.append(numbersTitle, numbersBox);

  const columns = element('div', 'lesson-columns');
  columns.append(words(lesson, note), numbers);
  article.append(title, columns, actions(lesson, links));
  return { article, numbersBox, presetNote: note };
}
