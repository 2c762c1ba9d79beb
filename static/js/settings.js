// Every setting of an experiment as a typed list, serialised to and from the URL hash
// (TensorFlow Playground's state.ts idea): opening a shared link sends the very same `configure`.
// Defaults and bounds are the server's (hello.defaults, hello.settings): a link is read once `hello` is known.

import { CLASSROOM_LABELS, CLASSROOM_SETTINGS, reconcileClassroom } from './classroom.js';
import { kindsForTask, kindsInMenuOrder } from './run-kinds.js';

const int = (text) => (/^-?\d+$/.test(text) ? Number(text) : undefined);
const modelId = (text) => (/^[A-Za-z0-9_-]{1,32}$/.test(text) && text !== '0' ? text : undefined); // saved model ids
const number = (text) => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : undefined);
const string = (text) => text;
const list = (text) => (text === '' ? [] : text.split(','));
const VIEWS = ['math', 'code']; // the math panel's

export const SETTINGS = [
  { name: 'lesson', parse: int, optional: true }, // the open lesson (0: none); in the hash only when open
  { name: 'dataset', parse: string },
  { name: 'dataSeed', parse: int },
  { name: 'test', parse: number, optional: true }, // the share of test data in %; not in the link when 0
  { name: 'features', parse: list, optional: true }, // input features of points in the plane (none: the points)
  { name: 'hidden', parse: string }, // "8", "8,8", or "" for no hidden layer
  { name: 'activation', parse: string },
  { name: 'init', parse: string },
  { name: 'seed', parse: int },
  { name: 'runs', parse: list },
  { name: 'optimizer', parse: string },
  { name: 'lr', parse: number },
  { name: 'regularization', parse: string, optional: true }, // "l1" or "l2"; not in the link when none
  { name: 'regRate', parse: number, optional: true }, // λ; not in the link when 0
  { name: 'batch', parse: string }, // "full", or examples per step ("1" is one at a time)
  { name: 'speed', parse: string }, // steps per second, or "max"
  { name: 'example', parse: int },
  { name: 'start', parse: modelId, optional: true }, // a saved model's id whose weights every run starts from (0: seeded)
  // The math panel's view: only "code" is written, and nothing when a settings object has none (the form's).
  { name: 'view', parse: (text) => (VIEWS.includes(text) ? text : undefined), optional: true, omitted: 'math' },
  ...CLASSROOM_SETTINGS, // a teacher's link: controls hidden or locked, a note, view choices (classroom.js)
];

// Dataset parameters depend on the dataset, so they travel as "data.NAME=value".
const PARAM_PREFIX = 'data.';

/** The settings that make the dashboard send this configuration at this speed. */
export function settingsFromConfig(config, { speed, lesson, hello }) {
  const dataset = hello.datasets.find((d) => d.name === config.dataset.name);
  const params = {};
  for (const param of dataset?.params ?? []) params[param.name] = String(config.dataset.params[param.name] ?? param.default);
  return {
    lesson,
    dataset: config.dataset.name,
    params,
    dataSeed: config.dataset.seed,
    test: Number(((config.dataset.test_fraction ?? 0) * 100).toFixed(6)), // a percentage, as the form shows it
    features: config.dataset.features ?? null,
    hidden: config.network.hidden_layers.join(','),
    activation: config.network.hidden_activation,
    init: config.network.init,
    seed: config.network.seed,
    runs: config.runs.map((run) => run.kind),
    optimizer: config.optimizer.name,
    lr: config.optimizer.learning_rate,
    regularization: config.regularization ?? '',
    regRate: config.regularization_rate ?? 0,
    batch: config.batch_size === null ? 'full' : String(config.batch_size),
    speed: String(speed),
    example: config.example,
    start: config.start?.model_id ?? 0,
    view: 'math',
  };
}

/** The server's default experiment (hello.defaults), with no lesson open. */
export function defaultSettings(hello) {
  return settingsFromConfig(hello.defaults.config, { speed: hello.defaults.speed, lesson: 0, hello });
}

/** A note about one of the link's values: `key` is the link's own name for it ("lr", "data.eps"). */
const note = (key, text) => ({ key, text });

/** A link's text unescaped, or undefined when a % escape is broken ("%ZZ", a link cut short in an e-mail). */
function decoded(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Settings from a hash like "#dataset=near-twins&data.eps=0.01&runs=sigmoid_mse,softmax_ce", the server's
 * defaults (`hello`) for the rest. A value that does not parse or cannot be unescaped keeps its default, an
 * unknown key is ignored, and `notes` says so.
 */
export function parseHash(hash, hello, notes = []) {
  const settings = defaultSettings(hello);
  settings.params = {}; // the link's own; reconcile() adds the dataset's defaults
  const pairs = hash.replace(/^#/, '').split('&').filter(Boolean);
  for (const pair of pairs) {
    const [rawKey, ...rest] = pair.split('=');
    const key = decoded(rawKey);
    const text = decoded(rest.join('='));
    if (key === undefined || text === undefined) {
      notes.push(note(key ?? rawKey, `The link’s ${labelOf(key ?? rawKey)} could not be read (a broken % escape); ignored.`));
      continue;
    }
    if (key.startsWith(PARAM_PREFIX)) {
      settings.params[key.slice(PARAM_PREFIX.length)] = text;
      continue;
    }
    const setting = SETTINGS.find((s) => s.name === key);
    const value = setting?.parse(text);
    if (!setting) notes.push(note(key, `The link’s ${labelOf(key)} is not a setting; ignored.`));
    else if (value === undefined) notes.push(note(key, `The link’s ${labelOf(key)} “${text}” is not a valid value; using “${shown(settings[key])}”.`));
    else settings[key] = value;
  }
  return settings;
}

export function toHash(settings) {
  const encode = (value) => encodeURIComponent(value).replace(/%2C/g, ',');
  const present = (value) => (Array.isArray(value) ? value.length > 0 : Boolean(value));
  const written = (s) => (!s.optional || present(settings[s.name])) && settings[s.name] !== s.omitted;
  const parts = SETTINGS.filter(written).map((s) => {
    const value = settings[s.name];
    return `${s.name}=${encode(s.format ? s.format(value) : Array.isArray(value) ? value.join(',') : String(value))}`;
  });
  for (const [name, value] of Object.entries(settings.params)) {
    parts.push(`${PARAM_PREFIX}${encodeURIComponent(name)}=${encode(String(value))}`);
  }
  return '#' + parts.join('&');
}

// Each setting as the form names it, for notes about a link.
const LABELS = {
  lesson: 'lesson', dataset: 'dataset', dataSeed: 'data seed', test: 'test data', hidden: 'hidden layers', activation: 'hidden activation',
  init: 'initial weights', seed: 'weight seed', runs: 'output layers', optimizer: 'optimizer', lr: 'learning rate',
  features: 'input features', regularization: 'regularisation', regRate: 'regularisation rate',
  batch: 'examples per step', speed: 'speed', example: 'example', start: 'starting weights', view: 'math or code view',
  ...CLASSROOM_LABELS,
  csv: 'CSV file', csvLabel: 'CSV file’s label column',
};

const shown = (value) => (Array.isArray(value) ? value.join(',') : String(value));

// Settings the server changes while training runs (`set`); any other needs new weights, from step 0.
const LIVE_SETTINGS = ['lr', 'regRate', 'speed', 'example'];

/** Whether changing this setting (the form's name for it; "params" for a dataset's) starts training again. */
export const restartsTraining = (name) => !LIVE_SETTINGS.includes(name);

/** How the form names a setting, for the note that says a change restarts training. */
export const settingLabel = (name) => (name === 'params' ? 'dataset parameters' : LABELS[name] ?? name);

/** How a note names one of the link's keys: as the form does, or as written when the key is not a setting. */
function labelOf(key) {
  if (Object.hasOwn(LABELS, key)) return LABELS[key];
  return key.startsWith(PARAM_PREFIX) ? `dataset parameter ${key.slice(PARAM_PREFIX.length)}` : `“${key}”`;
}

/** Keep only what the server offers; anything else falls back to the default (and is reported). */
export function reconcile(settings, hello) {
  const notes = [];
  const defaults = defaultSettings(hello);
  const fix = (name, allowed) => {
    if (!allowed.includes(settings[name])) {
      notes.push(note(name, `“${settings[name]}” is not a known ${LABELS[name]}; using “${defaults[name]}”.`));
      settings[name] = defaults[name];
    }
  };
  if (settings.dataset === 'csv') { // an uploaded file's experiment: the link names it but cannot hold it
    notes.push(note('dataset', `The link’s dataset was a CSV file, which a link cannot carry; using “${defaults.dataset}”. ` +
      'Choose the file again under Data.'));
    settings.dataset = defaults.dataset;
  }
  fix('dataset', hello.datasets.filter((d) => d.available).map((d) => d.name));
  fix('activation', hello.hidden_activations);
  fix('init', Object.keys(hello.inits));
  fix('optimizer', Object.keys(hello.optimizers));
  fix('regularization', ['', ...Object.keys(hello.regularizations ?? {})]);
  if (settings.features) {
    const known = (hello.features ?? []).map((feature) => feature.id);
    const unknown = settings.features.filter((id) => !known.includes(id));
    if (unknown.length) notes.push(note('features', `${unknown.map((id) => `“${id}”`).join(', ')}: not a known input feature; left out.`));
    settings.features = settings.features.filter((id) => known.includes(id));
    if (!settings.features.length) settings.features = null;
  }
  // A link may name a run by its kind or by its run id ("sig-mse-mixed").
  const kindOfId = Object.fromEntries(Object.entries(hello.run_kinds).map(([kind, info]) => [info.short_id, kind]));
  settings.runs = settings.runs.map((run) => (run in hello.run_kinds ? run : kindOfId[run] ?? run));
  const unknown = settings.runs.filter((kind) => !(kind in hello.run_kinds));
  if (unknown.length) {
    notes.push(note('runs', `${unknown.map((kind) => `“${kind}”`).join(', ')} ${unknown.length === 1 ?
      'is not a known output layer' : 'are not known output layers'}; left out.`));
  }
  settings.runs = kindsInMenuOrder(hello.run_kinds).filter((kind) => settings.runs.includes(kind));
  // A regression set trains only kinds with a linear output (the server refuses the others).
  const task = hello.datasets.find((d) => d.name === settings.dataset)?.task;
  settings.runs = kindsForTask(settings.runs, hello.run_kinds, task);
  const { minimum: slowest, maximum: fastest } = hello.settings.speed;
  if (settings.speed !== 'max' && !(int(settings.speed) >= slowest)) {
    notes.push(note('speed', `“${settings.speed}” is not a speed; using ${defaults.speed} steps/s.`));
    settings.speed = defaults.speed;
  }
  if (settings.speed !== 'max' && fastest !== null && int(settings.speed) > fastest) {
    notes.push(note('speed', `Speed ${settings.speed} steps/s is above this server’s limit; using its limit, ${fastest} steps/s.`));
    settings.speed = String(fastest);
  }
  // Parameters of the chosen dataset only, each defaulting to the server's default.
  const dataset = hello.datasets.find((d) => d.name === settings.dataset);
  const params = {};
  for (const p of dataset.params) params[p.name] = settings.params[p.name] ?? String(p.default);
  settings.params = params;
  notes.push(...reconcileClassroom(settings, hello));
  return notes;
}

// Which setting a server error's `field` is about: the most specific prefix wins ("dataset.seed" before "dataset").
const FIELD_SETTINGS = [
  ['dataset.seed', 'dataSeed'], ['dataset.test_fraction', 'test'], ['dataset.features', 'features'], ['dataset', 'dataset'],
  ['regularization_rate', 'regRate'], ['regularization', 'regularization'],
  ['network.hidden_layers', 'hidden'], ['network.hidden_activation', 'activation'], ['network.init', 'init'],
  ['network.seed', 'seed'], ['runs', 'runs'], ['optimizer.learning_rate', 'lr'], ['optimizer', 'optimizer'],
  ['batch_size', 'batch'], ['example', 'example'], ['speed', 'speed'], ['start', 'start'],
];

/**
 * Put the one setting a refused `field` names back to its default, as a link's value that the server did not
 * accept: returns { key, label, was, now } for the note (`key` as the link names it), or null when the field
 * names no single setting.
 */
export function resetSetting(settings, field, hello) {
  const param = /^dataset\.params\.(.+)$/.exec(field ?? '');
  if (param) {
    const spec = hello.datasets.find((d) => d.name === settings.dataset)?.params.find((p) => p.name === param[1]);
    if (!spec) return null;
    const was = settings.params[spec.name];
    settings.params[spec.name] = String(spec.default);
    return { key: PARAM_PREFIX + spec.name, label: labelOf(PARAM_PREFIX + spec.name), was: shown(was), now: String(spec.default) };
  }
  const name = FIELD_SETTINGS.find(([prefix]) => field === prefix || field?.startsWith(prefix + '.'))?.[1];
  if (!name) return null;
  const was = shown(settings[name]);
  settings[name] = defaultSettings(hello)[name];
  if (name === 'dataset') {
    settings.params = {};
    reconcile(settings, hello); // that dataset's own parameters, at their defaults
  }
  return { key: name, label: LABELS[name], was, now: shown(settings[name]) };
}

function paramValue(param, text) {
  if (param.kind === 'bool') return text === true || text === 'true';
  const value = number(String(text));
  return value === undefined ? null : value;
}

function parseHidden(text, bounds) {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (!parts.every((part) => /^\d+$/.test(part) && Number(part) >= bounds.minimum)) return null;
  return parts.map(Number);
}

/**
 * The `configure` message these settings describe, or the problems that keep it from being sent:
 * [{field, message}], with fields named as the server names them so errors land in the same place.
 */
export function configureMessage(settings, hello) {
  const problems = [];
  const dataset = hello.datasets.find((d) => d.name === settings.dataset);
  const params = {};
  for (const param of dataset?.params ?? []) {
    const value = paramValue(param, settings.params[param.name]);
    if (value === null) problems.push({ field: `dataset.params.${param.name}`, message: `${param.name}: enter a number.` });
    params[param.name] = value;
  }
  const hidden = parseHidden(settings.hidden, hello.settings['network.hidden_layers']);
  if (hidden === null) {
    problems.push({
      field: 'network.hidden_layers',
      message: 'Write the units of each hidden layer as whole numbers separated by commas, like 8 or 8,8 (empty for none).',
    });
  }
  if (settings.dataset === 'csv' && !settings.csv) problems.push({ field: 'dataset.csv', message: 'Choose a CSV file.' });
  const testProblem = testShareProblem(settings.test, hello);
  if (testProblem) problems.push({ field: 'dataset.test_fraction', message: testProblem });
  if (settings.runs.length === 0) problems.push({ field: 'runs', message: 'Choose at least one output layer.' });
  const rateProblem = learningRateProblem(settings.lr, hello);
  if (rateProblem) problems.push({ field: 'optimizer.learning_rate', message: rateProblem });
  const regularization = settings.regularization || null;
  const lambdaProblem = regularization ? regularizationRateProblem(settings.regRate, hello) : null;
  if (lambdaProblem) problems.push({ field: 'regularization_rate', message: lambdaProblem });
  // Features are for points in the plane: another dataset trains on its own inputs, whatever the link says.
  const features = dataset?.two_d ? settings.features ?? null : null;
  if (features?.length === 0) problems.push({ field: 'dataset.features', message: 'Tick at least one input feature.' });
  let batchSize = null;
  if (settings.batch !== 'full') {
    batchSize = int(settings.batch);
    if (batchSize === undefined) problems.push({ field: 'batch_size', message: 'Enter a whole number of examples per step.' });
  }
  const message = {
    type: 'configure',
    dataset: { // optional fields only when chosen, so older links send what they always sent
      name: settings.dataset, params, seed: settings.dataSeed,
      ...(settings.test ? { test_fraction: settings.test / 100 } : {}),
      ...(settings.csv ? { csv: settings.csv } : {}),
      ...(features ? { features } : {}),
    },
    network: { hidden_layers: hidden ?? [], hidden_activation: settings.activation, init: settings.init, seed: settings.seed },
    runs: settings.runs.map((kind) => ({ id: hello.run_kinds[kind]?.short_id ?? kind, kind })),
    optimizer: { name: settings.optimizer, learning_rate: settings.lr },
    regularization,
    regularization_rate: regularization ? settings.regRate : 0,
    batch_size: batchSize,
    example: settings.example,
    ...(settings.start ? { start: { model_id: settings.start } } : {}),
    speed: speedValue(settings.speed),
  };
  return { message, problems };
}

/** What is wrong with a share of test data in % (the server's bounds are fractions), or null when nothing is. */
export function testShareProblem(percent, hello) {
  const largest = Math.round(100 * (hello.settings['dataset.test_fraction']?.maximum ?? 0.9));
  if (percent === undefined) return null; // settings made before the field existed: no test part
  if (percent === null || !Number.isFinite(percent)) return 'Enter a share of test data, like 20 (%).';
  return percent < 0 || percent > largest ? `The test data must be between 0 and ${largest} %.` : null;
}

/** What is wrong with a learning rate, by the server's bounds (hello.settings), or null when nothing is. */
export function learningRateProblem(lr, hello) {
  if (lr === undefined || lr === null || !Number.isFinite(lr)) return 'Enter a learning rate, like 0.5.';
  const { minimum, exclusive_minimum: above, maximum } = hello.settings['optimizer.learning_rate'] ?? {};
  if (above !== null && above !== undefined && !(lr > above)) return `The learning rate must be greater than ${above}.`;
  if (minimum !== null && minimum !== undefined && lr < minimum) return `The learning rate must be at least ${minimum}.`;
  if (maximum !== null && maximum !== undefined && lr > maximum) return `The learning rate must be at most ${maximum}.`;
  return null;
}

/** What is wrong with a regularisation rate λ, by the server's bounds, or null when nothing is. */
export function regularizationRateProblem(rate, hello) {
  const { minimum = 0, maximum = null } = hello.settings.regularization_rate ?? {};
  if (rate === undefined || rate === null || !Number.isFinite(rate)) return 'Enter a regularisation rate, like 0.01.';
  if (rate < minimum || (maximum !== null && rate > maximum)) return `The regularisation rate must be between ${minimum} and ${maximum}.`;
  return null;
}

export function speedValue(text) {
  return text === 'max' ? 'max' : Number(text);
}
