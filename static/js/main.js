// Starts the dashboard: one store fed by the socket, views that read it, controls that send commands.

import { createControls } from './controls.js';
import { lessonSettings, loadLessons, namesOnlyALesson } from './lessons.js';
import { applyBinary, applyMessage } from './messages.js';
import { createModelActions } from './model-actions.js';
import { createRenderLoop } from './render-loop.js';
import { configureMessage, defaultSettings, parseHash, reconcile, resetSetting, speedValue, toHash } from './settings.js';
import { createShare } from './share.js';
import { openSocket } from './socket.js';
import { createStore } from './store.js';
import { exposeStore } from './test-hook.js';
import { createBoundaryView } from './views/boundary-view.js';
import { createDiagnosisBanner } from './views/diagnosis-banner.js';
import { createErrorsView } from './views/errors-view.js';
import { createGradientsView } from './views/gradients-view.js';
import { createLessonPanel } from './views/lesson-panel.js';
import { createLinkNotes } from './views/link-notes.js';
import { createLossChart } from './views/loss-chart.js';
import { createMathPanel } from './views/math-panel.js';
import { createNetworkView } from './views/network-view.js';
import { createOutputsChart } from './views/outputs-chart.js';
import { createRunKey } from './views/run-key.js';
import { closeWords, createStatusView } from './views/status-view.js';

const $ = (id) => document.getElementById(id);

const store = createStore();
exposeStore(store);
let socket = null;
let lessons = []; // the guided lessons (GET /api/lessons), loaded before the socket opens
let lessonPanel = null;
// The settings of the experiment the server runs: what the link says. Set only once the server accepts them.
let accepted = null;
// `configure` messages sent and not answered yet, oldest first (the server answers each, in order, with
// `configured` or an `error`): { settings, origin: 'link' | 'defaults' | 'edit', tries }.
let pending = [];

const STILL_PREVIOUS = 'Still showing the previous settings.';
const MAX_LINK_FALLBACKS = 4; // a link's refused values put back one at a time; past this, the defaults

function send(message) {
  return socket?.send(message) ?? false;
}

function setErrors(problems) {
  store.update(['errors'], (state) => {
    state.errors = Object.fromEntries(problems.map((p) => [p.field, p.message]));
  });
}

function addError(field, message) {
  store.update(['errors'], (state) => {
    state.errors[field ?? ''] = message;
  });
}

function setNotices(notices) {
  store.update(['notices'], (state) => {
    state.notices = notices;
  });
}

function addNotice(text) {
  setNotices([...store.state.notices, text]);
}

/** A refused edit leaves the running experiment alone: say so beside the error. */
const stillPrevious = (message) => (accepted ? `${message.replace(/([^.!?])$/, '$1.')} ${STILL_PREVIOUS}` : message);

/** The link of these settings, naming the open lesson if there is one. */
function linkOf(settings) {
  return toHash({ ...settings, lesson: lessonPanel?.current() ?? 0 });
}

/**
 * Send the experiment the settings describe. The hash changes only when the server accepts it (see
 * `configureAccepted`), so the link, and "Copy link", never hold a value that was refused.
 */
function configure(settings, { keepPlaying = true, origin = 'edit', tries = 0 } = {}) {
  const { message, problems } = configureMessage(settings, store.state.hello);
  if (problems.length) {
    if (origin === 'link') linkRefused(settings, problems[0].field, problems[0].message, tries);
    else setErrors(problems.map((p) => ({ ...p, message: stillPrevious(p.message) })));
    return;
  }
  setErrors([]);
  const wasPlaying = keepPlaying && store.state.status.playing;
  store.update([], (state) => {
    state.lastConfigure = message;
  });
  pending.push({ settings: structuredClone(settings), origin, tries });
  send(message);
  if (wasPlaying) send({ type: 'play' }); // a changed setting restarts the experiment, not the animation
}

function configureAccepted() {
  const request = pending.shift();
  if (!request) return;
  accepted = request.settings;
  history.replaceState(null, '', linkOf(accepted));
}

/** An error that answers the oldest `configure`: its own ("configure: …"), a refused rate, or a dropped message. */
function refusesConfigure(error) {
  return pending.length > 0 && /^(configure|speed|frame_rate): |'configure'/.test(error.message);
}

function configureRefused(error) {
  const request = pending.shift();
  if (request.origin === 'link') linkRefused(request.settings, error.field, error.message, request.tries);
  else if (request.origin === 'defaults') addError(error.field, error.message);
  else addError(error.field, stillPrevious(error.message));
}

/**
 * The link's experiment was refused: start with that one setting at its default (and say so at the top),
 * or, when the error names no single setting or the link keeps failing, with the default settings.
 */
function linkRefused(settings, field, text, tries) {
  const hello = store.state.hello;
  const reason = text.replace(/^[a-z_]+: [\w.]+: /, ''); // the setting is named in words below
  const fixed = structuredClone(settings);
  const reset = tries < MAX_LINK_FALLBACKS ? resetSetting(fixed, field, hello) : null;
  if (reset && reset.was !== reset.now) {
    addNotice(`The link’s ${reset.label}, “${reset.was}”, was not accepted: ${reason}. ` +
      `The dashboard started with the default ${reset.label}, “${reset.now}”, instead.`);
    controls.write(fixed);
    configure(fixed, { keepPlaying: false, origin: 'link', tries: tries + 1 });
    return;
  }
  addNotice(`The link’s settings were not accepted: ${reason}. The dashboard started with the default settings instead.`);
  const defaults = defaultSettings();
  reconcile(defaults, hello);
  controls.write(defaults);
  configure(defaults, { keepPlaying: false, origin: 'defaults' });
}

function settingsChanged(settings, name) {
  if (name === 'speed' || name === 'example') {
    // These change what is shown or how fast, not the numbers: no need to start again. The link takes the new
    // value with the accepted settings, not with whatever else the form holds (a refused value, say).
    for (const request of [accepted, ...pending.map((r) => r.settings)]) if (request) request[name] = settings[name];
    history.replaceState(null, '', linkOf(accepted ?? settings));
    store.update(['errors'], (state) => {
      delete state.errors[name];
      delete state.errors[''];
    });
    send(name === 'speed' ? { type: 'set', speed: speedValue(settings.speed) } : { type: 'set', example: settings.example });
    return;
  }
  configure(settings);
}

const controls = createControls({ form: $('settings'), exampleSelect: $('example'), onChange: settingsChanged });

/** A lesson sets the experiment up through the form, as a link does, and starts paused. */
function applyLessonSettings(settings) {
  if (!store.state.hello) return;
  controls.write(settings);
  configure(settings, { keepPlaying: false, origin: 'edit' });
}

function nextExample() {
  const select = $('example');
  if (select.options.length === 0) return;
  const settings = controls.read();
  settings.example = (settings.example + 1) % select.options.length;
  select.value = String(settings.example);
  select.dataset.wanted = select.value;
  settingsChanged(settings, 'example');
}

function tryLesson(lesson) {
  const { change, command } = lesson.try_this;
  if (!store.state.hello) return;
  if (Object.keys(change).length) applyLessonSettings(lessonSettings(lesson, store.state.hello, { tried: true }));
  if (command === 'play') send({ type: 'play' });
  else if (command === 'gradcheck') send({ type: 'gradcheck' });
  else if (command === 'next-example') nextExample();
}

/** After `hello` (first connection or a reconnect): the form from the hash, then the experiment. */
function start(hello) {
  const notes = [];
  let settings = parseHash(location.hash, notes);
  const lesson = lessons.find((item) => item.number === settings.lesson);
  if (lesson && namesOnlyALesson(location.hash)) settings = lessonSettings(lesson, hello); // "#lesson=3": start it
  notes.push(...reconcile(settings, hello));
  setNotices(notes); // a new link: what was said about the last one no longer applies
  controls.populate(hello);
  controls.write(settings);
  if (lesson) lessonPanel.show(lesson.number);
  else if (lessonPanel.current()) lessonPanel.close(); // the link names no lesson: end the open one
  configure(settings, { origin: 'link' });
}

function connect() {
  store.update(['connection'], (state) => {
    state.connection = 'connecting';
    state.closeReason = '';
  });
  pending = []; // nothing sent on the old socket will be answered
  socket = openSocket({
    onOpen: () => store.update(['connection'], (state) => (state.connection = 'open')),
    onMessage(message) {
      if (message.type === 'history') return share.receiveHistory(message);
      if (message.type === 'model') modelActions.receiveModel(message); // the file; the store forgets the request
      if (message.type === 'error' && refusesConfigure(message)) return configureRefused(message);
      if (message.type === 'configured') configureAccepted();
      applyMessage(store, message);
      if (message.type === 'hello') start(message);
      if (message.type === 'configured') controls.showExamples(message);
    },
    onBinary: (buffer) => applyBinary(store, buffer),
    onClose(event) {
      store.update(['connection', 'status'], (state) => {
        state.connection = 'closed';
        state.closeReason = closeWords(event.code, event.reason);
        state.status = { ...state.status, playing: false };
      });
    },
  });
}

const share = createShare({ store, send, status: $('share-status') });
const modelActions = createModelActions({ store, send });
const loop = createRenderLoop(store, []);
const requestDraw = loop.requestDraw;

const views = {
  status: createStatusView({
    play: $('play'), step: $('step'), reset: $('reset'), counter: $('step-counter'),
    connection: $('connection'), reconnect: $('reconnect'), downloadCsv: $('download-csv'),
  }),
  errors: createErrorsView({ general: $('general-error') }),
  linkNotes: createLinkNotes({ section: $('link-notes'), onDismiss: () => setNotices([]) }),
  diagnosis: createDiagnosisBanner({ section: $('diagnosis') }),
  runKey: createRunKey({ list: $('run-key'), onSave: modelActions.save, onDownload: modelActions.download }),
  loss: createLossChart({ container: $('loss-chart'), logToggle: $('loss-log'), requestDraw }),
  outputs: createOutputsChart({ container: $('outputs-charts'), note: $('outputs-note') }),
  boundary: createBoundaryView({ container: $('boundaries'), note: $('boundary-note') }),
  gradients: createGradientsView({ container: $('gradients') }),
  network: createNetworkView({ container: $('network'), runSelect: $('network-run'), note: $('network-note'), requestDraw }),
  math: createMathPanel({ container: $('math'), sendGradcheck: () => send({ type: 'gradcheck' }), requestDraw }),
};
loop.setViews(Object.values(views));

$('play').addEventListener('click', () => send({ type: store.state.status.playing ? 'pause' : 'play' }));
$('step').addEventListener('click', () => send({ type: 'step' }));
$('reset').addEventListener('click', () => send({ type: 'reset' }));
$('reconnect').addEventListener('click', connect);
$('copy-link').addEventListener('click', share.copyLink);
$('download-csv').addEventListener('click', share.requestHistory);
const PNG_TITLES = { loss: 'Loss', outputs: 'Outputs per example', boundary: 'Decision boundary', gradients: 'Gradients per layer' };
for (const button of document.querySelectorAll('[data-png]')) {
  const name = button.dataset.png;
  button.addEventListener('click', () => share.downloadPng(PNG_TITLES[name], views[name].canvases(), `backprop-lab-${name}.png`));
}
// Editing the link by hand (or going back) starts the experiment it describes.
window.addEventListener('hashchange', () => store.state.hello && start(store.state.hello));

// The lessons first (one small local request), so a link to a lesson opens it with its experiment.
const lessonsSection = $('lessons');
loadLessons(lessonsSection.dataset.lessonsUrl).then((loaded) => {
  lessons = loaded;
  lessonPanel = createLessonPanel({
    section: lessonsSection,
    toggle: $('lessons-toggle'),
    lessons,
    derivationUrl: lessonsSection.dataset.derivationUrl,
    onChoose: (lesson) => store.state.hello && applyLessonSettings(lessonSettings(lesson, store.state.hello)),
    onTry: tryLesson,
    onClose: () => history.replaceState(null, '', linkOf(accepted ?? controls.read())),
    requestDraw,
  });
  loop.setViews([...Object.values(views), lessonPanel]);
  connect();
});
