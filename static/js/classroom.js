// What a teacher's link adds to an experiment: controls hidden or locked (hide=dataset,runs&lock=lr, by the settings'
// own names), a short note shown at the top (note=...), and view choices: the loss chart's log scale (log=1), the run
// whose network is drawn (run=softmax-ce) and opening already playing (play=1). The math or code view is
// settings.js's own `view`. These are entries of settings.js's typed list, so a reload and "Copy link" keep them.
// Imports nothing from settings.js, which imports this.

export const NOTE_MAX = 280; // characters: a sentence or two, not a lesson

// The controls a link may hide or lock, by the settings' names, and the parts of the page that hold each
// (the form row with its label). A dataset's parameters and its input features go with the dataset, since they
// describe its inputs; the features can also be hidden or locked alone.
export const CONTROL_ROWS = {
  dataset: '[data-field="dataset.name"], #dataset-params, [data-field^="dataset.csv"], [data-field="dataset.features"]',
  dataSeed: '[data-field="dataset.seed"]',
  test: '[data-field="dataset.test_fraction"]',
  features: '[data-field="dataset.features"]',
  hidden: '[data-field="network.hidden_layers"]',
  activation: '[data-field="network.hidden_activation"]',
  init: '[data-field="network.init"]',
  seed: '[data-field="network.seed"]',
  start: '[data-field="start"]',
  runs: '[data-field="runs"]',
  optimizer: '[data-field="optimizer.name"]',
  lr: '[data-field="optimizer.learning_rate"]',
  regularization: '[data-field="regularization"]',
  regRate: '[data-field="regularization_rate"]',
  batch: '[data-field="batch_size"]',
  speed: '[data-field="speed"]',
  example: '[data-field="example"]',
  view: '#math-view',
};
export const CONTROLS = Object.keys(CONTROL_ROWS);

const names = (text) => (text === '' ? [] : text.split(','));
const flag = (text) => !['', '0', 'false'].includes(text);
const oneOrZero = (value) => (value ? '1' : '0');

/** The classroom's entries of settings.js's SETTINGS; none is written when empty or false. */
export const CLASSROOM_SETTINGS = [
  { name: 'hide', parse: names, optional: true },
  { name: 'lock', parse: names, optional: true },
  { name: 'note', parse: (text) => text, optional: true },
  { name: 'log', parse: flag, optional: true, format: oneOrZero },
  { name: 'run', parse: (text) => text, optional: true }, // checked against the runs by reconcileClassroom
  { name: 'play', parse: flag, optional: true, format: oneOrZero },
];

/** How the link's notes name these keys. */
export const CLASSROOM_LABELS = {
  hide: 'hidden controls', lock: 'locked controls', note: 'note', log: 'log scale', run: 'run shown', play: 'play on open',
};

/** The classroom part of a settings object (with `view`, the other view choice), for carrying it over a lesson. */
export function classroomOf(settings) {
  const part = {};
  for (const name of [...CLASSROOM_SETTINGS.map((s) => s.name), 'view']) if (settings[name] !== undefined) part[name] = settings[name];
  return part;
}

/**
 * Keep what this page can honour, in place, and say what was left out: [{key, text}] as settings.js's notes.
 * Unknown control names are dropped, a long note is cut, a run that is not one of `settings.runs` (kinds, after
 * settings.js's reconcile) is forgotten; a run named by its kind becomes its run id.
 */
export function reconcileClassroom(settings, hello) {
  const notes = [];
  for (const key of ['hide', 'lock']) {
    const asked = [...new Set(settings[key] ?? [])];
    const unknown = asked.filter((name) => !CONTROLS.includes(name));
    settings[key] = asked.filter((name) => CONTROLS.includes(name));
    if (unknown.length) {
      notes.push({ key, text: `${unknown.map((name) => `“${name}”`).join(', ')} ${unknown.length === 1 ? 'is not a control' :
        'are not controls'} a link can ${key}; ignored.` });
    }
  }
  if ((settings.note ?? '').length > NOTE_MAX) {
    settings.note = settings.note.slice(0, NOTE_MAX);
    notes.push({ key: 'note', text: `The link’s note is longer than ${NOTE_MAX} characters; it is cut short.` });
  }
  if (settings.run) {
    const ids = settings.runs.map((kind) => hello.run_kinds[kind]?.short_id ?? kind);
    const id = hello.run_kinds[settings.run]?.short_id ?? settings.run;
    if (ids.includes(id)) settings.run = id;
    else {
      notes.push({ key: 'run', text: `The link’s run shown, “${settings.run}”, is not one of its runs; showing the first.` });
      delete settings.run;
    }
  }
  return notes;
}

/** True for a link key a classroom link may add to "#lesson=N" and still mean "start that lesson". */
export const isClassroomKey = (key) => key === 'view' || CLASSROOM_SETTINGS.some((s) => s.name === key);
