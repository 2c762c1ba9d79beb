// Decodes the binary decision-boundary frame (docs/protocol.md): little-endian "BLB1", u32 step,
// u16 run index, u16 classes, u16 width, u16 height, then float32 outputs [height][width][classes].

const HEADER_BYTES = 16;

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
