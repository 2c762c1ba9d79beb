// The settings form: built from `hello` (datasets and their parameters, activations, inits, optimizers,
// run kinds, speeds), read into a settings object and written back from one. It reports changes; it sends nothing.
// Its parts: controls/dataset-params.js, controls/run-kind-choices.js, controls/speed-menu.js, controls/start-weights.js.

import { checkedRunKinds, checkRunKinds, fitRunKinds, writeRunKinds } from './controls/run-kind-choices.js';
import { readParams, writeParams } from './controls/dataset-params.js';
import { checkedFeatures, showFeatures, writeFeatureChoices } from './controls/feature-choices.js';
import { createSpeedMenu } from './controls/speed-menu.js';
import { createStartWeights } from './controls/start-weights.js';
import { option } from './lib/dom.js';
import { createCsvUpload } from './views/csv-upload.js';
import { formatNumber } from './lib/format.js';
import { fitsTask } from './run-kinds.js';
import { restartsTraining, settingLabel } from './settings.js';

const MAX_EXAMPLES_LISTED = 256; // a longer menu would not be read; the math panel can show any example
// The form's number fields and the server's names for them (hello.settings gives their bounds).
const BOUNDED_FIELDS = { dataSeed: 'dataset.seed', seed: 'network.seed', lr: 'optimizer.learning_rate', batchSize: 'batch_size',
  regRate: 'regularization_rate' };

export function createControls({ form, exampleSelect, onChange, onError }) {
  let hello = null;
  let classificationRuns = null; // the runs a regression set replaced, given back when a classification set returns
  const field = (name) => form.elements.namedItem(name);
  const speedMenu = createSpeedMenu(field('speed'));
  const paramsBox = form.querySelector('#dataset-params');
  const kindsBox = form.querySelector('#run-kinds');
  const featuresBox = form.querySelector('#features');
  const featuresSection = form.querySelector('[data-field="dataset.features"]');
  const startWeights = createStartWeights({
    section: form.querySelector('[data-field="start"]'), field, runKinds: () => checkedRunKinds(kindsBox), onError,
  });
  const csvUpload = createCsvUpload({ fileInput: form.querySelector('#csv-file'), labelSelect: field('csvLabel'),
    labelBox: form.querySelector('[data-field="dataset.csv.label_column"]'), hint: form.querySelector('#csv-hint'),
    datasetSelect: field('dataset'), onError });

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
    csvUpload.populate(hello);
    field('activation').replaceChildren(...hello.hidden_activations.map((name) => option(name, name)));
    field('init').replaceChildren(...Object.keys(hello.inits).map((name) => option(name, name)));
    field('optimizer').replaceChildren(...Object.keys(hello.optimizers).map((name) => option(name, name)));
    field('regularization').replaceChildren(option('', 'none'),
      ...Object.entries(hello.regularizations ?? {}).map(([name, info]) => option(name, info.label)));
    writeFeatureChoices(featuresBox, hello.features ?? []);
    writeRunKinds(kindsBox, hello.run_kinds);
  }

  function describeHints() {
    form.querySelector('#dataset-description').textContent = datasetInfo(field('dataset').value)?.description ?? '';
    form.querySelector('#init-hint').textContent = hello.inits[field('init').value] ?? '';
    form.querySelector('#optimizer-hint').textContent = hello.optimizers[field('optimizer').value] ?? '';
    form.querySelector('#regularization-hint').textContent = hello.regularizations?.[field('regularization').value]?.description ?? '';
    field('regRate').disabled = !field('regularization').value; // a rate of no penalty means nothing
    field('batchSize').hidden = field('batchMode').value !== 'mini';
  }

  function write(settings) {
    field('dataset').value = settings.dataset;
    writeParams(paramsBox, datasetInfo(settings.dataset), settings.params);
    field('dataSeed').value = settings.dataSeed;
    field('test').value = settings.test ?? 0;
    showFeatures(featuresSection, featuresBox, Boolean(datasetInfo(settings.dataset)?.two_d), settings.features);
    field('hidden').value = settings.hidden;
    field('activation').value = settings.activation;
    field('init').value = settings.init;
    field('seed').value = settings.seed;
    startWeights.show(settings.start);
    classificationRuns = null; // a link or a lesson names its own runs
    checkRunKinds(kindsBox, settings.runs);
    fitRunKinds(kindsBox, hello.run_kinds, datasetInfo(settings.dataset)?.task); // only the kinds its task fits
    field('optimizer').value = settings.optimizer;
    field('lr').value = settings.lr;
    field('regularization').value = settings.regularization ?? '';
    field('regRate').value = settings.regRate ?? 0;
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
      csv: csvUpload.value(),
      params: readParams(paramsBox),
      dataSeed: integer('dataSeed'),
      test: field('test').value.trim() === '' ? null : Number(field('test').value),
      features: checkedFeatures(featuresSection, featuresBox),
      hidden: field('hidden').value.trim(),
      activation: field('activation').value,
      init: field('init').value,
      seed: integer('seed'),
      start: startWeights.value(),
      runs: checkedRunKinds(kindsBox),
      optimizer: field('optimizer').value,
      lr: field('lr').value.trim() === '' ? null : Number(field('lr').value),
      regularization: field('regularization').value,
      regRate: field('regRate').value.trim() === '' ? null : Number(field('regRate').value),
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
      option(String(e), `${e}: ${text(row)} → ${configured.task === 'regression' ? formatNumber(labels[e][0], 3)
        : classes[labels[e].indexOf(1)] ?? ''}`)));
    exampleSelect.value = String(configured.config.example);
    exampleSelect.dataset.wanted = exampleSelect.value;
    csvUpload.showUsed(configured);
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

  /** A regression set takes linear + MSE only; a classification set after it gets back the runs chosen before. */
  function fitTask(task) {
    const before = checkedRunKinds(kindsBox);
    if (task === 'regression' && before.some((kind) => !fitsTask(hello.run_kinds[kind] ?? {}, task))) classificationRuns = before;
    if (task !== 'regression' && classificationRuns) {
      checkRunKinds(kindsBox, classificationRuns);
      classificationRuns = null;
    }
    fitRunKinds(kindsBox, hello.run_kinds, task);
  }

  form.addEventListener('change', (event) => {
    const target = event.target;
    if (target === field('dataset')) {
      // Another dataset: its own parameters at their defaults, and its first example.
      writeParams(paramsBox, datasetInfo(target.value), {});
      showFeatures(featuresSection, featuresBox, Boolean(datasetInfo(target.value)?.two_d), checkedFeatures(featuresSection, featuresBox));
      exampleSelect.dataset.wanted = '0';
      fitTask(datasetInfo(target.value)?.task);
    }
    describeHints();
    onChange(read(), settingOf(target), target);
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  exampleSelect.addEventListener('change', () => {
    exampleSelect.dataset.wanted = exampleSelect.value;
    onChange(read(), 'example', exampleSelect);
  });

  return { populate, write, read, showExamples, startFrom: startWeights.choose, forgetModel: startWeights.forget };
}
