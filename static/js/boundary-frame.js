// Decodes the binary frames (docs/protocol.md): the decision boundary, little-endian "BLB1", u32 step,
// u16 run index, u16 classes, u16 width, u16 height, then float32 outputs [height][width][classes]; and the
// per-neuron maps, "BLN1", the same header with units for classes, then float32 activations [units][height][width].

const HEADER_BYTES = 16;

/** The binary per-neuron frame (docs/protocol.md): "BLN1", the same header with units in place of classes, then
 * float32 activations [units][height][width]; null for any other frame. */
export function decodeNeuronMaps(buffer) {
  if (buffer.byteLength < HEADER_BYTES || String.fromCharCode(...new Uint8Array(buffer, 0, 4)) !== 'BLN1') return null;
  const view = new DataView(buffer);
  const [units, width, height] = [view.getUint16(10, true), view.getUint16(12, true), view.getUint16(14, true)];
  if (buffer.byteLength < HEADER_BYTES + units * width * height * 4) return null;
  const values = new Float32Array(units * width * height);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(HEADER_BYTES + i * 4, true);
  return { step: view.getUint32(4, true), run: view.getUint16(8, true), units, width, height, values };
}

export function decodeBoundaryFrame(buffer) {
  const view = new DataView(buffer);
  const magic = String.fromCharCode(...new Uint8Array(buffer, 0, 4));
  if (magic !== 'BLB1') return null;
  const step = view.getUint32(4, true);
  const run = view.getUint16(8, true);
  const classes = view.getUint16(10, true);
  const width = view.getUint16(12, true);
  const height = view.getUint16(14, true);
  const count = width * height * classes;
  if (buffer.byteLength < HEADER_BYTES + count * 4) return null;
  // Copy with explicit little-endian reads rather than trusting the platform's byte order.
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = view.getFloat32(HEADER_BYTES + i * 4, true);
  return { step, run, classes, width, height, values };
}
