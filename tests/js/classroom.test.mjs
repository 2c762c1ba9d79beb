// A teacher's link: the controls it hides or locks, its note and its view choices, read from the hash like every
// other setting, checked against what the page has, written back by toHash, and made by the dialog.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { installDom } from './dom.mjs';
import { HELLO } from './fixtures.mjs';

installDom();
const { NOTE_MAX } = await import('../../static/js/classroom.js');
const { namesOnlyALesson } = await import('../../static/js/lessons.js');
const { parseHash, reconcile, toHash } = await import('../../static/js/settings.js');
const { classroomHash } = await import('../../static/js/views/classroom-dialog.js');

/** The settings and every note a link gives, as main.js reads it. */
function open(hash) {
  const notes = [];
  const settings = parseHash(hash, HELLO, notes);
  notes.push(...reconcile(settings, HELLO));
  return { settings, notes, keys: notes.map((n) => n.key) };
}

test('hide, lock, note and the view choices are read from the link and written back', () => {
  const hash = '#dataset=two-points&runs=sigmoid_mse,softmax_ce&hide=dataset,hidden,runs&lock=lr,optimizer' +
    '&note=Watch%20the%20outputs%20%26%20say%20why&log=1&run=softmax-ce&play=1';
  const { settings, notes } = open(hash);
  assert.deepEqual(notes, []);
  assert.deepEqual(settings.hide, ['dataset', 'hidden', 'runs']);
  assert.deepEqual(settings.lock, ['lr', 'optimizer']);
  assert.equal(settings.note, 'Watch the outputs & say why');
  assert.equal(settings.log, true);
  assert.equal(settings.run, 'softmax-ce');
  assert.equal(settings.play, true);
  const again = toHash(settings);
  for (const part of ['hide=dataset,hidden,runs', 'lock=lr,optimizer', 'note=Watch%20the%20outputs%20%26%20say%20why',
    'log=1', 'run=softmax-ce', 'play=1']) assert.ok(again.includes(part), part);
  assert.deepEqual(open(again).settings, settings, 'the written link reads back the same');
});

test('a link without classroom fields writes none, and false or empty ones are left out', () => {
  const { settings } = open('#dataset=two-points');
  assert.ok(!/(^|[#&])(hide|lock|note|log|run|play)=/.test(toHash(settings)));
  const written = toHash({ ...settings, hide: [], lock: [], note: '', log: false, run: '', play: false });
  assert.ok(!/(^|[#&])(hide|lock|note|log|run|play)=/.test(written), written);
  assert.equal(open('#play=0&log=false').settings.play, false);
});

test('unknown control names are left out, each list with its note', () => {
  const { settings, keys } = open('#hide=dataset,wings,dataset&lock=engine,lr');
  assert.deepEqual(settings.hide, ['dataset'], 'known names once each');
  assert.deepEqual(settings.lock, ['lr']);
  assert.deepEqual(keys.sort(), ['hide', 'lock']);
});

test('a note longer than the bound is cut short, with a note', () => {
  const { settings, keys } = open(`#note=${'a'.repeat(NOTE_MAX + 50)}`);
  assert.equal(settings.note.length, NOTE_MAX);
  assert.deepEqual(keys, ['note']);
});

test('the run shown may be named by its kind; one that is not among the runs is dropped with a note', () => {
  assert.equal(open('#runs=sigmoid_mse,softmax_ce&run=softmax_ce').settings.run, 'softmax-ce');
  const { settings, keys } = open('#runs=sigmoid_mse&run=softmax-ce');
  assert.equal(settings.run, undefined);
  assert.deepEqual(keys, ['run']);
});

test('a lesson link with classroom choices still means "start that lesson"; experiment settings do not', () => {
  assert.ok(namesOnlyALesson('#lesson=3'));
  assert.ok(namesOnlyALesson('#lesson=3&hide=runs&lock=lr&note=hi&log=1&run=softmax-ce&play=1&view=code'));
  assert.ok(!namesOnlyALesson('#lesson=3&hide=runs&lr=0.1'));
  assert.ok(!namesOnlyALesson('#hide=runs'));
});

test('the dialog’s link: the experiment with the choices, or only the lesson with them', () => {
  const { settings } = open('#dataset=near-twins&data.eps=0.01&runs=softmax_ce&lr=0.05');
  const choices = { lesson: 0, hide: ['runs'], lock: ['lr'], note: 'Look <b>here</b>', log: true, run: '', view: 'code',
    play: false };
  const experiment = open(classroomHash(settings, choices)).settings;
  assert.equal(experiment.dataset, 'near-twins');
  assert.deepEqual(experiment.params, { eps: '0.01' });
  assert.equal(experiment.lr, 0.05);
  assert.deepEqual([experiment.hide, experiment.lock, experiment.note, experiment.log, experiment.view],
    [['runs'], ['lr'], 'Look <b>here</b>', true, 'code']);

  const lesson = classroomHash(settings, { ...choices, lesson: 2, play: true });
  assert.ok(namesOnlyALesson(lesson), lesson);
  assert.deepEqual(lesson.slice(1).split('&').map((pair) => pair.split('=')[0]).sort(),
    ['hide', 'lesson', 'lock', 'log', 'note', 'play', 'view']);
});
