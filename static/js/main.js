// Starts the dashboard: one store fed by the socket, views that read it, controls that send commands.
// Read top to bottom: the store and the socket, the form and the experiment it asks for, the views, the lessons.

import { createConfigurer } from './configurer.js';
import { createControls } from './controls.js';
import { lessonSettings, loadLessons, namesOnlyALesson } from './lessons.js';
import { applyBinary, applyMessage } from './messages.js';
import { createModelActions } from './model-actions.js';
import { createRenderLoop } from './render-loop.js';
import { createScriptDownload } from './script-download.js';
import { parseHash, reconcile, toHash } from './settings.js';
import { createShare } from './share.js';
import { openSocket } from './socket.js';
import { createStore } from './store.js';
import { exposeStore } from './test-hook.js';
import { createBoundaryView } from './views/boundary-view.js';
import { createCheckPanel } from './views/check-panel.js';
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

// --- the store, and the socket that feeds it ------------------------------------------------------------------

const store = createStore();
exposeStore(store);
let socket = null; // opened once the lessons are known (below)
const send = (message) => socket?.send(message) ?? false;
const loop = createRenderLoop(store, []);
const requestDraw = loop.requestDraw;

// --- the form, and the experiment it asks for ----------------------------------------------------------------

let lessonPanel = null; // created once the lessons are loaded (below)
const lessonNumber = () => lessonPanel?.current() ?? 0;
/** The address of these settings, naming the open lesson if there is one. */
const setLink = (settings) => history.replaceState(null, '',
  toHash({ ...settings, lesson: lessonNumber(), view: views.math.view() }));

const form = createControls({
  form: $('settings'),
  exampleSelect: $('example'),
  onChange: (settings, name) => configurer.change(settings, name), // called on edits, after the line below ran
  onError: (field, message) => configurer.showError(field, message),
});
const configurer = createConfigurer({ store, send, showSettings: form.write, setLink });

function setNotices(notices) {
  store.update(['notices'], (state) => {
    state.notices = notices;
  });
}

/** After `hello` (first connection or a reconnect): the form from the address, then the experiment. */
function start(hello, lessons) {
  const notes = [];
  let settings = parseHash(location.hash, hello, notes);
  const lesson = lessons.find((item) => item.number === settings.lesson);
  if (lesson && namesOnlyALesson(location.hash)) settings = lessonSettings(lesson, hello); // "#lesson=3": start it
  notes.push(...reconcile(settings, hello));
  setNotices(notes); // a new link: what was said about the last one no longer applies
  form.populate(hello);
  form.write(settings);
  views.math.setView(settings.view);
  if (lesson) lessonPanel.show(lesson.number);
  else if (lessonPanel.current()) lessonPanel.close(); // the link names no lesson: end the open one
  configurer.configure(settings, { origin: 'link' });
}

// --- what each message does beside the store ---------------------------------------------------------------

const share = createShare({ store, send, status: $('share-status') });
const modelActions = createModelActions({ store, send });

function connect(lessons) {
  store.update(['connection'], (state) => {
    state.connection = 'connecting';
    state.closeReason = '';
  });
  configurer.forgetPending(); // nothing sent on the old socket will be answered
  socket = openSocket({
    onOpen: () => store.update(['connection'], (state) => (state.connection = 'open')),
    onMessage(message) {
      if (message.type === 'history') return share.receiveHistory(message);
      if (message.type === 'model') modelActions.receiveModel(message); // the file; the store forgets the request
      if (message.type === 'saved') modelActions.receiveSaved(message); // its owner key, kept in this browser
      if (message.type === 'error' && configurer.refuse(message)) return;
      if (message.type === 'configured') configurer.accept();
      applyMessage(store, message);
      if (message.type === 'hello') start(message, lessons);
      if (message.type === 'configured') form.showExamples(message);
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

// --- the views -------------------------------------------------------------------------------------------------

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
  math: createMathPanel({ container: $('math'), sendGradcheck: () => send({ type: 'gradcheck' }), requestDraw,
    switchButtons: [...document.querySelectorAll('#math-view [data-view]')],
    onViewChange: () => setLink(configurer.accepted() ?? form.read()) }),
  script: createScriptDownload({ store, button: $('download-script'), status: $('share-status') }),
  check: createCheckPanel({ section: $('check'), useWeights: modelActions.useWeights }),
};
loop.setViews(Object.values(views));

$('play').addEventListener('click', () => send({ type: store.state.status.playing ? 'pause' : 'play' }));
$('step').addEventListener('click', () => send({ type: 'step' }));
$('reset').addEventListener('click', () => send({ type: 'reset' }));
$('copy-link').addEventListener('click', share.copyLink);
$('download-csv').addEventListener('click', share.requestHistory);
const PNG_TITLES = { loss: 'Loss', outputs: 'Outputs per example', boundary: 'Decision boundary', gradients: 'Gradients per layer' };
for (const button of document.querySelectorAll('[data-png]')) {
  const name = button.dataset.png;
  button.addEventListener('click', () => share.downloadPng(PNG_TITLES[name], views[name].canvases(), `backprop-lab-${name}.png`));
}

// --- the lessons: loaded first (one small local request), so a link to a lesson opens it with its experiment ----

/** A lesson sets the experiment up through the form, as a link does, and starts paused. */
function applyLessonSettings(settings) {
  if (!store.state.hello) return;
  form.write(settings);
  configurer.configure(settings, { keepPlaying: false, origin: 'edit' });
}

function nextExample() {
  const select = $('example');
  if (select.options.length === 0) return;
  const settings = form.read();
  settings.example = (settings.example + 1) % select.options.length;
  select.value = String(settings.example);
  select.dataset.wanted = select.value;
  configurer.change(settings, 'example');
}

function tryLesson(lesson) {
  const { change, command } = lesson.try_this;
  if (!store.state.hello) return;
  if (Object.keys(change).length) applyLessonSettings(lessonSettings(lesson, store.state.hello, { tried: true }));
  if (command === 'play') send({ type: 'play' });
  else if (command === 'gradcheck') send({ type: 'gradcheck' });
  else if (command === 'next-example') nextExample();
}

const lessonsSection = $('lessons');
loadLessons(lessonsSection.dataset.lessonsUrl).then((lessons) => {
  lessonPanel = createLessonPanel({
    section: lessonsSection,
    toggle: $('lessons-toggle'),
    lessons,
    derivationUrl: lessonsSection.dataset.derivationUrl,
    onChoose: (lesson) => store.state.hello && applyLessonSettings(lessonSettings(lesson, store.state.hello)),
    onTry: tryLesson,
    onClose: () => setLink(configurer.accepted() ?? form.read()),
    requestDraw,
  });
  loop.setViews([...Object.values(views), lessonPanel]);
  $('reconnect').addEventListener('click', () => connect(lessons));
  // Editing the link by hand (or going back) starts the experiment it describes.
  window.addEventListener('hashchange', () => store.state.hello && start(store.state.hello, lessons));
  connect(lessons);
});
