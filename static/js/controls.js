// The settings form: built from `hello` (datasets and their parameters, activations, inits, optimizers,
// run kinds, speeds), read into a settings object and written back from one. It reports changes; it sends nothing.
// Its parts: controls/dataset-params.js, controls/run-kind-choices.js, controls/speed-menu.js, controls/start-weights.js.

import { checkedRunKinds, checkRunKinds, writeRunKinds } from './controls/run-kind-choices.js';
import { readParams, writeParams } from './controls/dataset-params.js';
import { createSpeedMenu } from './controls/speed-menu.js';
import { createStartWeights } from './controls/start-weights.js';
import { option } from './lib/dom.js';
import { formatNumber } from './lib/format.js';
import { restartsTraining, settingLabel } from './settings.js';

const MAX_EXAMPLES_LISTED = 256; // a longer menu would not be read; the math panel can show any example
// The form's number fields and the server's names for them (hello.settings gives their bounds).
const BOUNDED_FIELDS = { dataSeed: 'dataset.seed', seed: 'network.seed', lr: 'optimizer.learning_rate', batchSize: 'batch_size' };

export function createControls({ form, exampleSelect, onChange, onError }) {
  let hello = null;
  const field = (name) => form.elements.namedItem(name);
  const speedMenu = createSpeedMenu(field('speed'));
  const paramsBox = form.querySelector('#dataset-params');
  const kindsBox = form.querySelector('#run-kinds');
  const startWeights = createStartWeights({
    section: form.querySelector('[data-field="start"]'), field, runKinds: () => checkedRunKinds(kindsBox), onError,
  });

  function datasetInfo(name) {
    return hello.datasets.find((d) => d.name === name);
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
    speedMenu.populate(hello);
    startWeights.populate(hello);
    populateBounds();
    field('dataset').replaceChildren(...hello.datasets.map((d) =>
      option(d.name, d.available ? d.title : `${d.title} (needs the ${d.requires} extra)`, !d.available)));
    field('activation').replaceChildren(...hello.hidden_activations.map((name) => option(name, name)));
    field('init').replaceChildren(...Object.keys(hello.inits).map((name) => option(name, name)));
    field('optimizer').replaceChildren(...Object.keys(hello.optimizers).map((name) => option(name, name)));
    writeRunKinds(kindsBox, hello.run_kinds);
  }

  function describeHints() {
    form.querySelector('#dataset-description').textContent = datasetInfo(field('dataset').value)?.description ?? '';
    form.querySelector('#init-hint').textContent = hello.inits[field('init').value] ?? '';
    form.querySelector('#optimizer-hint').textContent = hello.optimizers[field('optimizer').value] ?? '';
    field('batchSize').hidden = field('batchMode').value !== 'mini';
  }

  function write(settings) {
    field('dataset').value = settings.dataset;
    writeParams(paramsBox, datasetInfo(settings.dataset), settings.params);
    field('dataSeed').value = settings.dataSeed;
    field('hidden').value = settings.hidden;
    field('activation').value = settings.activation;
    field('init').value = settings.init;
    field('seed').value = settings.seed;
    startWeights.show(settings.start);
    checkRunKinds(kindsBox, settings.runs);
    field('optimizer').value = settings.optimizer;
    field('lr').value = settings.lr;
    const mode = settings.batch === 'full' ? 'full' : settings.batch === '1' ? 'one' : 'mini';
    field('batchMode').value = mode;
    field('batchSize').value = mode === 'mini' ? settings.batch : field('batchSize').value || 4;
    speedMenu.show(settings.speed);
    exampleSelect.value = String(settings.example);
    exampleSelect.dataset.wanted = String(settings.example);
    describeHints();
  }

  function read() {
    const mode = field('batchMode').value;
    // Whole numbers go to the server as typed, so "-1" earns its error message beside the field.
    const integer = (name) => (/^-?\d+$/.test(field(name).value.trim()) ? Number(field(name).value) : 0);
    return {
      dataset: field('dataset').value,
      params: readParams(paramsBox),
      dataSeed: integer('dataSeed'),
      hidden: field('hidden').value.trim(),
      activation: field('activation').value,
      init: field('init').value,
      seed: integer('seed'),
      start: startWeights.value(),
      runs: checkedRunKinds(kindsBox),
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

  /** The setting a control edits, as read() names it. */
  const settingOf = (control) => (control.name === 'batchMode' || control.name === 'batchSize' ? 'batch'
    : control.dataset.param ? 'params' : control.name || control.closest('[data-field]')?.dataset.field);

  // Before a change that needs new weights, the note at the top of the form says training will start again. It
  // keeps its height, shown or not, so the field being clicked does not move under the pointer.
  const restartNote = form.querySelector('#restart-note');
  form.addEventListener('focusin', (event) => {
    const name = settingOf(event.target);
    const restarts = Boolean(name) && restartsTraining(name);
    restartNote.dataset.restarts = restarts ? name : '';
    restartNote.textContent = restarts ? `Changing the ${settingLabel(name)} starts training again from step 0.` : '';
  });
  form.addEventListener('focusout', () => {
    restartNote.dataset.restarts = '';
  });

  form.addEventListener('change', (event) => {
    const target = event.target;
    if (target === field('dataset')) {
      // Another dataset: its own parameters at their defaults, and its first example.
      writeParams(paramsBox, datasetInfo(target.value), {});
      exampleSelect.dataset.wanted = '0';
    }
    describeHints();
    onChange(read(), settingOf(target), target);
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  exampleSelect.addEventListener('change', () => {
    exampleSelect.dataset.wanted = exampleSelect.value;
    onChange(read(), 'example', exampleSelect);
  });

  return { populate, write, read, showExamples };
}
