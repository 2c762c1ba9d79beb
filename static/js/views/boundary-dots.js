// The examples drawn over a decision boundary: the training part as filled dots, and with "Show test data" the
// held-out test part as rings in the same colours (the Playground's option), so the two parts read apart.

import { classColor, signedColor } from '../lib/colors.js';
import { classOf } from '../lib/labels.js';

export const VALUE_SCALE = 1; // a regression target of ±1 (the targets' range) is drawn in full colour

/** Where a point of the plane lands on a square canvas of `size` CSS pixels showing `extent`; y grows upwards. */
export function canvasPoint([x, y], [x0, x1, y0, y1], size) {
  return [((x - x0) / (x1 - x0)) * size, ((y1 - y) / (y1 - y0)) * size];
}

/** An example's colour, the same for both parts: its class's, or a regression target's signed colour. */
export function exampleColor(label, task) {
  return task === 'regression' ? signedColor(label[0], VALUE_SCALE) : classColor(classOf(label));
}

/** The dots' radius in CSS pixels: smaller when many examples share the plane. */
export const dotRadius = (configured) => (configured.inputs.length > 100 ? 3 : 6);

/** The examples of `configured` on a 2-D context scaled to CSS pixels; `test` adds the test part as rings. */
export function drawExamples(ctx, configured, size, { test = false } = {}) {
  const { extent } = configured.boundary;
  const regression = configured.task === 'regression';
  const edge = regression ? '#5b6474' : '#ffffff'; // a regression target near 0 is a white dot: a grey edge shows it
  const radius = dotRadius(configured);
  configured.inputs.forEach((input, i) => {
    ctx.beginPath();
    ctx.arc(...canvasPoint(input, extent, size), radius, 0, 2 * Math.PI);
    ctx.fillStyle = exampleColor(configured.labels[i], configured.task);
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = edge;
    ctx.stroke();
  });
  if (!test) return;
  // Drawn last, so no training dot hides one: a ring of the example's colour edged both sides in the edge colour,
  // a pixel wider than a dot so its hole shows even on a crowded plane.
  configured.test_inputs.forEach((input, i) => {
    ctx.beginPath();
    ctx.arc(...canvasPoint(input, extent, size), radius + 1, 0, 2 * Math.PI);
    ctx.lineWidth = 4;
    ctx.strokeStyle = edge;
    ctx.stroke();
    ctx.lineWidth = 2;
    ctx.strokeStyle = exampleColor(configured.test_labels[i], configured.task);
    ctx.stroke();
  });
}
