// Starts the dashboard: one store fed by the socket, views that read it, controls that send commands.
// Read top to bottom: the store and the socket, the form and the experiment it asks for, the views, the lessons.

import { classroomOf } from './classroom.js';
import { keepFocusClearOf } from './clear-of-bar.js';
import { createConfigurer } from './configurer.js';
import { createControls } from './controls.js';
import { lessonSettings, loadLessons, namesOnlyALesson } from './lessons.js';
import { applyBinary, applyMessage } from './messages.js';
import { createModelActions } from './model-actions.js';
import { adaptFrameRate } from './frame-rate.js';
import { createRenderLoop } from './render-loop.js';
import { createScriptDownload } from './script-download.js';
import { parseHash, reconcile, toHash } from './settings.js';
import { createShare } from './share.js';
import { openSocket } from './socket.js';
import { createStore } from './store.js';
import { exposeStore } from './test-hook.js';
import { createBoundaryView } from './views/boundary-view.js';
import { createChartSummaries } from './views/chart-summaries.js';
import { createCheckPanel } from './views/check-panel.js';
import { createClassroomDialog } from './views/classroom-dialog.js';
import { createClassroomPage } from './views/classroom-page.js';
import { createConfusionView } from './views/confusion-view.js';
import { createDiagnosisBanner } from './views/diagnosis-banner.js';
import { createErrorsView } from './views/errors-view.js';
import { createGradientsView } from './views/gradients-view.js';
import { createLessonPanel } from './views/lesson-panel.js';
import { createLinkNotes } from './views/link-notes.js';
import { createLossChart } from './views/loss-chart.js';
import { createMathPanel } from './views/math-panel.js';
import { createModelsPanel } from './views/models-panel.js';
import { createNetworkView } from './views/network-view.js';
import { createNeuronMaps } from './views/neuron-maps.js';
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
adaptFrameRate({ store, loop, send }); // the server sends no more frames than this page draws
const requestDraw = loop.requestDraw;

// --- the form, and the experiment it asks for ----------------------------------------------------------------

let lessonPanel = null; // created once the lessons are loaded (below)
const lessonNumber = () => lessonPanel?.current() ?? 0;
/** The address of these settings, naming the open lesson if there is one. */
const setLink = (settings) => history.replaceState(null, '',
  toHash({ ...settings, ...classroom.linkFields(), lesson: lessonNumber(), view: views.math.view() }));

const form = createControls({
  form: $('settings'),
  exampleSelect: $('example'),
  onChange: (settings, name) => configurer.change(settings, name), // called on edits, after the line below ran
  onError: (field, message) => configurer.showError(field, message),
});
const configurer = createConfigurer({ store, send, showSettings: form.write, setLink });

/** A weight edited by hand is not in the link: say so once, until dismissed. */
function noteWeightEdit() {
  const text = 'A weight was edited by hand: a copied link cannot carry that; it starts from the original weights.';
  if (!store.state.notices.some((n) => n.id === 'weight_edited')) setNotices([...store.state.notices, { key: null, id: 'weight_edited', text }]);
}

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
  // "#lesson=3" (with a classroom link's choices, if any): start that lesson.
  if (lesson && namesOnlyALesson(location.hash)) settings = { ...lessonSettings(lesson, hello), ...classroomOf(settings) };
  notes.push(...reconcile(settings, hello));
  setNotices(notes); // a new link: what was said about the last one no longer applies
  form.populate(hello);
  form.write(settings);
  classroom.apply(settings);
  playOnOpen = classroom.playsOnOpen();
  views.math.setView(settings.view);
  if (lesson) lessonPanel.show(lesson.number);
  else if (lessonPanel.current()) lessonPanel.close(); // the link names no lesson: end the open one
  classroom.showViews(settings, { lessonOpen: Boolean(lesson) });
  configurer.configure(settings, { origin: 'link' });
}

// --- what each message does beside the store ---------------------------------------------------------------

const share = createShare({ store, send, status: $('share-status') });
const modelsPanel = createModelsPanel({ section: $('models'), onDeleted: form.forgetModel,
  startFrom: (summary) => store.state.hello && form.startFrom(summary) }); // the form is built once `hello` came
const modelActions = createModelActions({ store, send, onSaved: () => modelsPanel.refresh() });
$('models-refresh').addEventListener('click', () => modelsPanel.refresh(false));
modelsPanel.refresh();

function connect(lessons) {
  store.update(['connection'], (state) => {
    state.connection = 'connecting';
    state.closeReason = '';
    state.closeCode = null;
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
      if (message.type === 'configured' && playOnOpen) playOnOpen = !send({ type: 'play' }); // the link's play=1
      applyMessage(store, message);
      if (message.type === 'hello') start(message, lessons);
      if (message.type === 'configured') form.showExamples(message);
    },
    onBinary: (buffer) => applyBinary(store, buffer),
    onClose(event) {
      store.update(['connection', 'status'], (state) => {
        state.connection = 'closed';
        state.closeReason = closeWords(event.code, event.reason);
        state.closeCode = event.code;
        state.status = { ...state.status, playing: false };
      });
    },
  });
}

// --- the views -------------------------------------------------------------------------------------------------

let playOnOpen = false;
const classroom = createClassroomPage({
  root: document, noteBox: $('classroom-note'), lossToggle: $('loss-log'), runSelect: $('network-run'),
  onChange: () => setLink(configurer.accepted() ?? form.read()),
});

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
  confusion: createConfusionView({ container: $('confusion'), runSelect: $('confusion-run'), note: $('confusion-note'),
    requestDraw }),
  outputs: createOutputsChart({ container: $('outputs-charts'), note: $('outputs-note') }),
  boundary: createBoundaryView({ container: $('boundaries'), note: $('boundary-note'), discretize: $('boundary-discretize') }),
  gradients: createGradientsView({ container: $('gradients'), requestDraw }),
  network: createNetworkView({ container: $('network'), runSelect: $('network-run'), note: $('network-note'), requestDraw,
    editorBox: $('weight-editor'), send, onWeightSent: noteWeightEdit }),
  neuronMaps: createNeuronMaps({ container: $('neuron-maps'), note: $('neuron-maps-note'), runSelect: $('network-run') }),
  math: createMathPanel({ container: $('math'), sendGradcheck: () => send({ type: 'gradcheck' }), requestDraw,
    switchButtons: [...document.querySelectorAll('#math-view [data-view]')],
    onViewChange: () => setLink(configurer.accepted() ?? form.read()) }),
  script: createScriptDownload({ store, button: $('download-script'), status: $('share-status') }),
  check: createCheckPanel({ section: $('check'), useWeights: modelActions.useWeights }),
  summaries: createChartSummaries({ charts: { loss: $('loss-chart'), outputs: $('outputs-charts'), gradients: $('gradients') }, requestDraw }),
};
loop.setViews(Object.values(views));

keepFocusClearOf(document.querySelector('.transport'));
$('play').addEventListener('click', () => send({ type: store.state.status.playing ? 'pause' : 'play' }));
$('step').addEventListener('click', () => send({ type: 'step' }));
$('reset').addEventListener('click', () => send({ type: 'reset' }));
$('copy-link').addEventListener('click', share.copyLink);
$('download-csv').addEventListener('click', share.requestHistory);
for (const button of document.querySelectorAll('[data-png]')) {
  const name = button.dataset.png;
  button.addEventListener('click', () => share.downloadPng(name, views[name].canvases()));
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
  createClassroomDialog({
    dialog: $('classroom-dialog'), opener: $('classroom-link'), lessons,
    current: () => ({ settings: configurer.accepted() ?? form.read(), classroom: classroom.linkFields(),
      view: views.math.view(), lesson: lessonNumber(), hello: store.state.hello, configured: store.state.configured }),
  });
  $('reconnect').addEventListener('click', () => connect(lessons));
  // Editing the link by hand (or going back) starts the experiment it describes.
  window.addEventListener('hashchange', () => store.state.hello && start(store.state.hello, lessons));
  connect(lessons);
});
