// Starts the dashboard: one store fed by the socket, views that read it, controls that send commands.

import { createControls } from './controls.js';
import { lessonSettings, loadLessons, namesOnlyALesson } from './lessons.js';
import { applyBinary, applyMessage } from './messages.js';
import { createModelActions } from './model-actions.js';
import { createRenderLoop } from './render-loop.js';
import { configureMessage, parseHash, reconcile, speedValue, toHash } from './settings.js';
import { createShare } from './share.js';
import { openSocket } from './socket.js';
import { createStore } from './store.js';
import { exposeStore } from './test-hook.js';
import { createBoundaryView } from './views/boundary-view.js';
import { createDiagnosisBanner } from './views/diagnosis-banner.js';
import { createErrorsView } from './views/errors-view.js';
import { createGradientsView } from './views/gradients-view.js';
import { createLessonPanel } from './views/lesson-panel.js';
import { createLossChart } from './views/loss-chart.js';
import { createMathPanel } from './views/math-panel.js';
import { createNetworkView } from './views/network-view.js';
import { createOutputsChart } from './views/outputs-chart.js';
import { createRunKey } from './views/run-key.js';
import { createStatusView } from './views/status-view.js';

const $ = (id) => document.getElementById(id);

const store = createStore();
exposeStore(store);
let socket = null;
let lessons = []; // the guided lessons (GET /api/lessons), loaded before the socket opens
let lessonPanel = null;

function send(message) {
  return socket?.send(message) ?? false;
}

function setErrors(problems) {
  store.update(['errors'], (state) => {
    state.errors = Object.fromEntries(problems.map((p) => [p.field, p.message]));
  });
}

/** The link of these settings, naming the open lesson if there is one. */
function linkOf(settings) {
  return toHash({ ...settings, lesson: lessonPanel?.current() ?? 0 });
}

/** Send the experiment the settings describe; the hash is updated first, so the link always matches. */
function configure(settings, { keepPlaying = true } = {}) {
  history.replaceState(null, '', linkOf(settings));
  const { message, problems } = configureMessage(settings, store.state.hello);
  setErrors(problems);
  if (problems.length) return;
  const wasPlaying = keepPlaying && store.state.status.playing;
  store.update([], (state) => {
    state.lastConfigure = message;
  });
  send(message);
  if (wasPlaying) send({ type: 'play' }); // a changed setting restarts the experiment, not the animation
}

function settingsChanged(settings, name) {
  if (name === 'speed' || name === 'example') {
    // These change what is shown or how fast, not the numbers: no need to start again.
    history.replaceState(null, '', linkOf(settings));
    setErrors([]);
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
  configure(settings, { keepPlaying: false });
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
  let settings = parseHash(location.hash);
  const lesson = lessons.find((item) => item.number === settings.lesson);
  if (lesson && namesOnlyALesson(location.hash)) settings = lessonSettings(lesson, hello); // "#lesson=3": start it
  const notes = reconcile(settings, hello);
  controls.populate(hello);
  controls.write(settings);
  if (lesson) lessonPanel.show(lesson.number);
  else if (lessonPanel.current()) lessonPanel.close(); // the link names no lesson: end the open one
  configure(settings);
  if (notes.length) setErrors([{ field: '', message: notes.join(' ') }]);
}

function connect() {
  store.update(['connection'], (state) => {
    state.connection = 'connecting';
    state.closeReason = '';
  });
  socket = openSocket({
    onOpen: () => store.update(['connection'], (state) => (state.connection = 'open')),
    onMessage(message) {
      if (message.type === 'history') return share.receiveHistory(message);
      if (message.type === 'model') modelActions.receiveModel(message); // the file; the store forgets the request
      applyMessage(store, message);
      if (message.type === 'hello') start(message);
      if (message.type === 'configured') controls.showExamples(message);
    },
    onBinary: (buffer) => applyBinary(store, buffer),
    onClose(event) {
      store.update(['connection', 'status'], (state) => {
        state.connection = 'closed';
        state.closeReason = event.reason || (event.code === 1006 ? 'the server cannot be reached' : `code ${event.code}`);
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
    onClose: () => history.replaceState(null, '', linkOf(controls.read())),
    requestDraw,
  });
  loop.setViews([...Object.values(views), lessonPanel]);
  connect();
});
