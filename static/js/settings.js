// Every setting of an experiment as a typed list, serialised to and from the URL hash
// (TensorFlow Playground's state.ts idea): opening a shared link sends the very same `configure`.

import { RUN_IDS } from './run-kinds.js';

const int = (text) => (/^-?\d+$/.test(text) ? Number(text) : undefined);
const number = (text) => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : undefined);
const string = (text) => text;
const list = (text) => (text === '' ? [] : text.split(','));

export const SETTINGS = [
  { name: 'lesson', parse: int, default: 0, optional: true }, // the open lesson (0: none); in the hash only when open
  { name: 'dataset', parse: string, default: 'two-points' },
  { name: 'dataSeed', parse: int, default: 0 },
  { name: 'hidden', parse: string, default: '8' }, // "8", "8,8", or "" for no hidden layer
  { name: 'activation', parse: string, default: 'sigmoid' },
  { name: 'init', parse: string, default: 'normal' },
  { name: 'seed', parse: int, default: 0 },
  { name: 'runs', parse: list, default: ['sigmoid_mse', 'softmax_ce'] },
  { name: 'optimizer', parse: string, default: 'sgd' },
  { name: 'lr', parse: number, default: 0.5 },
  { name: 'batch', parse: string, default: 'full' }, // "full", or examples per step ("1" is one at a time)
  { name: 'speed', parse: string, default: '60' }, // steps per second, or "max"
  { name: 'example', parse: int, default: 0 },
];

// Dataset parameters depend on the dataset, so they travel as "data.NAME=value".
const PARAM_PREFIX = 'data.';

export function defaultSettings() {
  const settings = { params: {} };
  for (const s of SETTINGS) settings[s.name] = structuredClone(s.default);
  return settings;
}

/**
 * Settings from a hash like "#dataset=near-twins&data.eps=0.01&runs=sigmoid_mse,softmax_ce". A value that does
 * not parse keeps its default, and `notes` says so.
 */
export function parseHash(hash, notes = []) {
  const settings = defaultSettings();
  const pairs = hash.replace(/^#/, '').split('&').filter(Boolean);
  for (const pair of pairs) {
    const [key, ...rest] = pair.split('=');
    const text = decodeURIComponent(rest.join('='));
    if (key.startsWith(PARAM_PREFIX)) {
      settings.params[decodeURIComponent(key.slice(PARAM_PREFIX.length))] = text;
      continue;
    }
    const setting = SETTINGS.find((s) => s.name === key);
    const value = setting?.parse(text);
    if (value !== undefined) settings[key] = value;
    else if (setting) notes.push(`The link’s ${LABELS[key] ?? key} “${text}” is not a valid value; using “${shown(setting.default)}”.`);
  }
  return settings;
}

export function toHash(settings) {
  const encode = (value) => encodeURIComponent(value).replace(/%2C/g, ',');
  const parts = SETTINGS.filter((s) => !s.optional || (settings[s.name] ?? s.default) !== s.default).map((s) => {
    const value = settings[s.name];
    return `${s.name}=${encode(Array.isArray(value) ? value.join(',') : String(value))}`;
  });
  for (const [name, value] of Object.entries(settings.params)) {
    parts.push(`${PARAM_PREFIX}${encodeURIComponent(name)}=${encode(String(value))}`);
  }
  return '#' + parts.join('&');
}

// Each setting as the form names it, for notes about a link.
const LABELS = {
  lesson: 'lesson', dataset: 'dataset', dataSeed: 'data seed', hidden: 'hidden layers', activation: 'hidden activation',
  init: 'initial weights', seed: 'weight seed', runs: 'output layers', optimizer: 'optimizer', lr: 'learning rate',
  batch: 'examples per step', speed: 'speed', example: 'example',
};

const shown = (value) => (Array.isArray(value) ? value.join(',') : String(value));

/** Keep only what the server offers; anything else falls back to the default (and is reported). */
export function reconcile(settings, hello) {
  const notes = [];
  const fix = (name, allowed) => {
    if (!allowed.includes(settings[name])) {
      notes.push(`“${settings[name]}” is not a known ${LABELS[name]}; using “${defaultSettings()[name]}”.`);
      settings[name] = defaultSettings()[name];
    }
  };
  fix('dataset', hello.datasets.filter((d) => d.available).map((d) => d.name));
  fix('activation', hello.hidden_activations);
  fix('init', Object.keys(hello.inits));
  fix('optimizer', Object.keys(hello.optimizers));
  const unknown = settings.runs.filter((kind) => !(kind in hello.run_kinds));
  if (unknown.length) {
    notes.push(`${unknown.map((kind) => `“${kind}”`).join(', ')} ${unknown.length === 1 ? 'is not a known output layer' :
      'are not known output layers'}; left out.`);
  }
  settings.runs = Object.keys(hello.run_kinds).filter((kind) => settings.runs.includes(kind)); // the menu's order
  if (settings.speed !== 'max' && !(int(settings.speed) > 0)) {
    notes.push(`“${settings.speed}” is not a speed; using ${defaultSettings().speed} steps/s.`);
    settings.speed = defaultSettings().speed;
  }
  const fastest = hello.limits?.max_speed;
  if (settings.speed !== 'max' && fastest && int(settings.speed) > fastest) {
    notes.push(`Speed ${settings.speed} steps/s is above this server’s limit; using its limit, ${fastest} steps/s.`);
    settings.speed = String(fastest);
  }
  // Parameters of the chosen dataset only, each defaulting to the server's default.
  const dataset = hello.datasets.find((d) => d.name === settings.dataset);
  const params = {};
  for (const p of dataset.params) params[p.name] = settings.params[p.name] ?? String(p.default);
  settings.params = params;
  return notes;
}

// Which setting a server error's `field` is about: the most specific prefix wins ("dataset.seed" before "dataset").
const FIELD_SETTINGS = [
  ['dataset.seed', 'dataSeed'], ['dataset', 'dataset'],
  ['network.hidden_layers', 'hidden'], ['network.hidden_activation', 'activation'], ['network.init', 'init'],
  ['network.seed', 'seed'], ['runs', 'runs'], ['optimizer.learning_rate', 'lr'], ['optimizer', 'optimizer'],
  ['batch_size', 'batch'], ['example', 'example'], ['speed', 'speed'],
];

/**
 * Put the one setting a refused `field` names back to its default, as a link's value that the server did not
 * accept: returns { label, was, now } for the note, or null when the field names no single setting.
 */
export function resetSetting(settings, field, hello) {
  const param = /^dataset\.params\.(.+)$/.exec(field ?? '');
  if (param) {
    const spec = hello.datasets.find((d) => d.name === settings.dataset)?.params.find((p) => p.name === param[1]);
    if (!spec) return null;
    const was = settings.params[spec.name];
    settings.params[spec.name] = String(spec.default);
    return { label: `dataset parameter ${spec.name}`, was: shown(was), now: String(spec.default) };
  }
  const name = FIELD_SETTINGS.find(([prefix]) => field === prefix || field?.startsWith(prefix + '.'))?.[1];
  if (!name) return null;
  const was = shown(settings[name]);
  settings[name] = defaultSettings()[name];
  if (name === 'dataset') {
    settings.params = {};
    reconcile(settings, hello); // that dataset's own parameters, at their defaults
  }
  return { label: LABELS[name], was, now: shown(settings[name]) };
}

function paramValue(param, text) {
  if (param.kind === 'bool') return text === true || text === 'true';
  const value = number(String(text));
  return value === undefined ? null : value;
}

function parseHidden(text) {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (!parts.every((part) => /^\d+$/.test(part) && Number(part) > 0)) return null;
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
  const hidden = parseHidden(settings.hidden);
  if (hidden === null) {
    problems.push({
      field: 'network.hidden_layers',
      message: 'Write the units of each hidden layer as whole numbers separated by commas, like 8 or 8,8 (empty for none).',
    });
  }
  if (settings.runs.length === 0) problems.push({ field: 'runs', message: 'Choose at least one output layer.' });
  if (settings.lr === undefined || settings.lr === null) {
    problems.push({ field: 'optimizer.learning_rate', message: 'Enter a learning rate, like 0.5.' });
  }
  let batchSize = null;
  if (settings.batch !== 'full') {
    batchSize = int(settings.batch);
    if (batchSize === undefined) problems.push({ field: 'batch_size', message: 'Enter a whole number of examples per step.' });
  }
  const message = {
    type: 'configure',
    dataset: { name: settings.dataset, params, seed: settings.dataSeed },
    network: { hidden_layers: hidden ?? [], hidden_activation: settings.activation, init: settings.init, seed: settings.seed },
    runs: settings.runs.map((kind) => ({ id: RUN_IDS[kind] ?? kind, kind })),
    optimizer: { name: settings.optimizer, learning_rate: settings.lr },
    batch_size: batchSize,
    example: settings.example,
    speed: speedValue(settings.speed),
  };
  return { message, problems };
}

export function speedValue(text) {
  return text === 'max' ? 'max' : Number(text);
}
