// The settings form: built from `hello` (datasets and their parameters, activations, inits, optimizers,
// run kinds), read into a settings object and written back from one. It reports changes; it sends nothing.

import { kindInfo } from './run-kinds.js';
import { formatNumber } from './lib/format.js';

const MAX_EXAMPLES_LISTED = 256; // a longer menu would not be read; the math panel can show any example
// The form's number fields and the server's names for them (hello.settings gives their bounds).
const BOUNDED_FIELDS = { dataSeed: 'dataset.seed', seed: 'network.seed', lr: 'optimizer.learning_rate', batchSize: 'batch_size' };
const steps = (count) => count.toLocaleString('en-US');

function option(value, text, disabled = false) {
  const node = new Option(text, value);
  node.disabled = disabled;
  return node;
}

export function createControls({ form, exampleSelect, onChange }) {
  let hello = null;
  const field = (name) => form.elements.namedItem(name);
  const SPEEDS = [...field('speed').options].map((o) => [o.value, o.text]); // the template's menu, before any limit
  const paramsBox = form.querySelector('#dataset-params');
  const kindsBox = form.querySelector('#run-kinds');

  function datasetInfo(name) {
    return hello.datasets.find((d) => d.name === name);
  }

  function buildParams(dataset, values) {
    paramsBox.replaceChildren();
    for (const param of dataset.params) {
      const id = `param-${param.name}`;
      const wrapper = document.createElement('div');
      wrapper.className = param.kind === 'bool' ? 'field check' : 'field inline';
      wrapper.dataset.field = `dataset.params.${param.name}`;
      const input = document.createElement('input');
      input.id = id;
      input.name = id;
      input.dataset.param = param.name;
      const label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = param.name;
      const hint = document.createElement('p');
      hint.className = 'hint';
      hint.id = `${id}-hint`;
      input.setAttribute('aria-describedby', hint.id);
      const value = values[param.name] ?? param.default;
      if (param.kind === 'bool') {
        input.type = 'checkbox';
        input.checked = value === true || value === 'true';
        hint.textContent = param.description;
      } else {
        input.type = 'number';
        input.step = param.kind === 'int' ? '1' : 'any';
        input.inputMode = param.kind === 'int' ? 'numeric' : 'decimal';
        if (param.min !== null) input.min = param.min;
        if (param.max !== null) input.max = param.max;
        input.value = value;
        const bounds = param.min !== null && param.max !== null ? ` (${formatNumber(param.min)} to ${formatNumber(param.max)})` : '';
        hint.textContent = param.description + bounds;
      }
      const error = document.createElement('p');
      error.className = 'field-error';
      error.setAttribute('role', 'alert');
      if (param.kind === 'bool') wrapper.append(input, label, hint, error);
      else wrapper.append(label, input, hint, error);
      paramsBox.append(wrapper);
    }
  }

  /** A speed the menu lacks (this server's limit, or a link's own number), in its place among the others. */
  function addSpeed(value, text) {
    const select = field('speed');
    if ([...select.options].some((o) => o.value === value)) return;
    const after = [...select.options].find((o) => o.value === 'max' || Number(o.value) > Number(value));
    select.add(option(value, text), after ?? null);
  }

  /** Only speeds the server allows (hello.limits.max_speed); its limit itself is offered when the menu lacks it. */
  function populateSpeeds() {
    const fastest = hello.limits?.max_speed ?? Infinity;
    const allowed = SPEEDS.filter(([value]) => value === 'max' || Number(value) <= fastest);
    field('speed').replaceChildren(...allowed.map(([value, text]) => option(value, text)));
    if (allowed.length < SPEEDS.length) addSpeed(String(fastest), `${steps(fastest)} steps/s (this server’s limit)`);
  }

  /** The server's bounds on the number fields, so the browser's own checks agree with it. */
  function populateBounds() {
    for (const [name, path] of Object.entries(BOUNDED_FIELDS)) {
      const bounds = hello.settings?.[path];
      if (!bounds) continue;
      const input = field(name);
      const low = bounds.minimum ?? bounds.exclusive_minimum;
      if (low !== null && low !== undefined) input.min = low;
      if (bounds.maximum !== null && bounds.maximum !== undefined) input.max = bounds.maximum;
    }
  }

  function populate(message) {
    hello = message;
    populateSpeeds();
    populateBounds();
    field('dataset').replaceChildren(...hello.datasets.map((d) =>
      option(d.name, d.available ? d.title : `${d.title} (needs the ${d.requires} extra)`, !d.available)));
    field('activation').replaceChildren(...hello.hidden_activations.map((name) => option(name, name)));
    field('init').replaceChildren(...Object.keys(hello.inits).map((name) => option(name, name)));
    field('optimizer').replaceChildren(...Object.keys(hello.optimizers).map((name) => option(name, name)));
    kindsBox.replaceChildren();
    for (const [kind, info] of Object.entries(hello.run_kinds)) {
      const ours = kindInfo(kind); // hello.run_kinds, learnt with this `hello`
      const id = `kind-${kind}`;
      const row = document.createElement('div');
      row.className = `run-kind${info.mistake ? ' mistake' : ''}`;
      row.style.setProperty('--run-color', ours.color);
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.id = id;
      box.name = 'runs';
      box.value = kind;
      box.setAttribute('aria-describedby', `${id}-formula`);
      const label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = info.label;
      const formula = document.createElement('span');
      formula.className = 'formula';
      formula.id = `${id}-formula`;
      formula.textContent = `δᴸ = ${info.delta_formula}${info.mistake ? ' (kept to compare with the right rule)' : ''}`;
      row.append(box, label, formula);
      kindsBox.append(row);
    }
  }

  function describeHints() {
    form.querySelector('#dataset-description').textContent = datasetInfo(field('dataset').value)?.description ?? '';
    form.querySelector('#init-hint').textContent = hello.inits[field('init').value] ?? '';
    form.querySelector('#optimizer-hint').textContent = hello.optimizers[field('optimizer').value] ?? '';
    field('batchSize').hidden = field('batchMode').value !== 'mini';
  }

  function write(settings) {
    field('dataset').value = settings.dataset;
    buildParams(datasetInfo(settings.dataset), settings.params);
    field('dataSeed').value = settings.dataSeed;
    field('hidden').value = settings.hidden;
    field('activation').value = settings.activation;
    field('init').value = settings.init;
    field('seed').value = settings.seed;
    for (const box of kindsBox.querySelectorAll('input')) box.checked = settings.runs.includes(box.value);
    field('optimizer').value = settings.optimizer;
    field('lr').value = settings.lr;
    const mode = settings.batch === 'full' ? 'full' : settings.batch === '1' ? 'one' : 'mini';
    field('batchMode').value = mode;
    field('batchSize').value = mode === 'mini' ? settings.batch : field('batchSize').value || 4;
    if (/^\d+$/.test(String(settings.speed))) addSpeed(String(settings.speed), `${steps(Number(settings.speed))} steps/s`);
    field('speed').value = settings.speed;
    exampleSelect.value = String(settings.example);
    exampleSelect.dataset.wanted = String(settings.example);
    describeHints();
  }

  function read() {
    const params = {};
    for (const input of paramsBox.querySelectorAll('input')) {
      params[input.dataset.param] = input.type === 'checkbox' ? String(input.checked) : input.value;
    }
    const mode = field('batchMode').value;
    // Whole numbers go to the server as typed, so "-1" earns its error message beside the field.
    const integer = (name) => (/^-?\d+$/.test(field(name).value.trim()) ? Number(field(name).value) : 0);
    return {
      dataset: field('dataset').value,
      params,
      dataSeed: integer('dataSeed'),
      hidden: field('hidden').value.trim(),
      activation: field('activation').value,
      init: field('init').value,
      seed: integer('seed'),
      runs: [...kindsBox.querySelectorAll('input:checked')].map((box) => box.value),
      optimizer: field('optimizer').value,
      lr: field('lr').value.trim() === '' ? null : Number(field('lr').value),
      batch: mode === 'full' ? 'full' : mode === 'one' ? '1' : field('batchSize').value.trim(),
      speed: field('speed').value,
      example: Number(exampleSelect.dataset.wanted ?? 0),
    };
  }

  /** The example menu, once the data is known: "0: [1, 0] → A". */
  function showExamples(configured) {
    const { inputs, labels, class_names: classes } = configured;
    const shown = Math.min(inputs.length, MAX_EXAMPLES_LISTED);
    const text = (row) => (row.length <= 4 ? `[${row.map((v) => formatNumber(v, 3)).join(', ')}]` : `${row.length} inputs`);
    exampleSelect.replaceChildren(...inputs.slice(0, shown).map((row, e) =>
      option(String(e), `${e}: ${text(row)} → ${classes[labels[e].indexOf(1)] ?? ''}`)));
    exampleSelect.value = String(configured.config.example);
    exampleSelect.dataset.wanted = exampleSelect.value;
  }

  form.addEventListener('change', (event) => {
    const target = event.target;
    if (target === field('dataset')) {
      // Another dataset: its own parameters at their defaults, and its first example.
      buildParams(datasetInfo(target.value), {});
      exampleSelect.dataset.wanted = '0';
    }
    describeHints();
    const name = target.name === 'batchMode' || target.name === 'batchSize' ? 'batch' : target.dataset.param ? 'params' : target.name;
    onChange(read(), name, target);
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  exampleSelect.addEventListener('change', () => {
    exampleSelect.dataset.wanted = exampleSelect.value;
    onChange(read(), 'example', exampleSelect);
  });

  return { populate, write, read, showExamples };
}
