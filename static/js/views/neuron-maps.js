// Per-neuron pictures (TensorFlow Playground's thumbnails): for data in the plane, each hidden unit's activation
// over the plane, of the run the network drawing shows, from the binary neuron-map frames (boundary-frame.js).

import { signedPixels } from '../lib/colors.js';
import { formatNumber } from '../lib/format.js';
import { runsOf } from '../run-kinds.js';

// Where each activation's colour is white, and the distance from it that is full colour: sigmoid's middle is ½,
// tanh's range is ±1; an unbounded one (relu, linear) is scaled to its largest value in the maps.
const CENTRE = { sigmoid: 0.5 };
const SPAN = { sigmoid: 0.5, tanh: 1 };
const STRENGTH = 0.85;

/** Why no maps are drawn for this experiment, or null when they are. */
export function mapsOffReason(configured, hello) {
  const hidden = configured.layer_sizes.slice(1, -1);
  const units = hidden.reduce((sum, n) => sum + n, 0);
  const bound = hello.neuron_maps?.max_hidden_units ?? 0;
  if (!configured.boundary) return 'Each hidden unit is pictured over the plane for data in the plane; this dataset is not.';
  if (units === 0) return 'This network has no hidden layer: no hidden unit to picture.';
  if (units > bound) return `Each hidden unit is pictured for networks of at most ${bound} hidden units; this one has ${units}.`;
  return null;
}

function paintMap(canvas, maps, unit, centre, span) {
  const { width, height, values } = maps;
  const pixels = signedPixels(values, width * height, { offset: unit * width * height, centre, span, strength: STRENGTH });
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d').putImageData(new ImageData(pixels, width, height), 0, 0);
}

export function createNeuronMaps({ container, note, runSelect }) {
  let seen = { config: -1, neurons: -1, run: '' };
  let tiles = []; // { canvas, unit } per hidden unit, layer by layer

  function build(state) {
    const { configured, hello } = state;
    container.replaceChildren();
    tiles = [];
    const off = mapsOffReason(configured, hello);
    if (off) {
      note.textContent = off;
      return;
    }
    const hidden = configured.layer_sizes.slice(1, -1);
    let unit = 0;
    hidden.forEach((n, l) => {
      const group = document.createElement('figure');
      group.className = 'neuron-layer';
      const caption = document.createElement('figcaption');
      caption.textContent = `hidden layer ${l + 1}`;
      group.append(caption);
      for (let i = 0; i < n; i++, unit++) {
        const canvas = document.createElement('canvas');
        canvas.className = 'neuron-map';
        canvas.dataset.layer = String(l + 1);
        canvas.dataset.unit = String(i);
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', `Hidden layer ${l + 1}, unit ${i + 1}: its activation over the plane`);
        group.append(canvas);
        tiles.push({ canvas, unit });
      }
      container.append(group);
    });
  }

  function paint(state) {
    const r = state.configured.config.runs.findIndex((run) => run.id === runSelect.value);
    const maps = state.neuronMaps[r];
    const activation = state.configured.config.network.hidden_activation;
    const name = runsOf(state.configured)[r]?.name ?? runSelect.value;
    if (!maps || maps.units !== tiles.length) {
      note.textContent = `Each hidden unit's activation over the plane, for ${name}: on its way.`;
      return;
    }
    const centre = CENTRE[activation] ?? 0;
    let span = SPAN[activation];
    if (span === undefined) span = Math.max(...maps.values.map((v) => Math.abs(v - centre)), 1e-9);
    for (const { canvas, unit } of tiles) paintMap(canvas, maps, unit, centre, span);
    note.textContent = `Each hidden unit's activation a over the plane, for ${name} at step ${maps.step}: indigo below ` +
      `${formatNumber(centre)}, amber above, white at ${formatNumber(centre)}, full colour ${formatNumber(span, 3)} away.`;
  }

  return {
    element: container, // the render loop skips it while off screen
    draw(state) {
      if (!state.configured || !state.hello) return;
      const rebuilt = seen.config !== state.rev.config;
      if (rebuilt) build(state);
      if (!tiles.length) {
        seen = { config: state.rev.config, neurons: state.rev.neurons, run: runSelect.value };
        return;
      }
      if (!rebuilt && seen.neurons === state.rev.neurons && seen.run === runSelect.value) return;
      seen = { config: state.rev.config, neurons: state.rev.neurons, run: runSelect.value };
      paint(state);
    },
  };
}
