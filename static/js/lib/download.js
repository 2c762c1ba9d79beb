// Files made in the page: CSV text and PNG pictures of canvases, saved through a temporary link.

export function downloadBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * One PNG from several titled canvases, stacked on white (uPlot draws on a transparent canvas),
 * so a card with a chart per run still gives a single picture.
 */
export function composeCanvases(items, heading) {
  const ratio = window.devicePixelRatio || 1;
  const pad = Math.round(12 * ratio);
  const titleHeight = Math.round(22 * ratio);
  const width = Math.max(...items.map((item) => item.canvas.width)) + 2 * pad;
  const height = items.reduce((sum, item) => sum + item.canvas.height + titleHeight, titleHeight + pad) + pad;
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#1d2330';
  ctx.textBaseline = 'top';
  ctx.font = `600 ${Math.round(15 * ratio)}px system-ui, sans-serif`;
  ctx.fillText(heading, pad, pad);
  let y = pad + titleHeight;
  for (const item of items) {
    ctx.font = `${Math.round(13 * ratio)}px system-ui, sans-serif`;
    ctx.fillText(item.title, pad, y);
    y += titleHeight;
    ctx.drawImage(item.canvas, pad, y);
    y += item.canvas.height;
  }
  return out;
}

export function downloadCanvas(canvas, filename) {
  canvas.toBlob((blob) => downloadBlob(blob, filename), 'image/png');
}

/**
 * The loss history as CSV rows, one per step and run: `step, run, kind, mistake, loss` (the mistake's id, empty for
 * a right run; the loss empty after a run diverged), and `test_loss` when there is a test part (empty at the steps
 * where it was not measured). `runs` are the page's runs (run-kinds.js runsOf), `history` the server's `history`
 * reply, `latest` the newest frame, which holds a step the history does not have yet.
 */
export function lossHistoryRows(runs, history, latest) {
  const columns = history.runs.map((id) => runs.find((run) => run.id === id) ?? { id, kind: '', mistake: null });
  const tested = Array.isArray(history.test_loss);
  const rows = [['step', 'run', 'kind', 'mistake', 'loss', ...(tested ? ['test_loss'] : [])]];
  const add = (step, losses, tests) => columns.forEach((run, r) =>
    rows.push([step, run.id, run.kind, run.mistake, losses[r], ...(tested ? [tests[r]] : [])]));
  history.steps.forEach((step, i) => add(step, history.loss[i], history.test_loss?.[i]));
  if (latest && latest.step > (history.steps.at(-1) ?? -1)) {
    add(latest.step, latest.runs.map((run) => run.loss), latest.runs.map((run) => run.test_loss));
  }
  return rows;
}

export function toCsv(rows) {
  const cell = (value) => (value === null || value === undefined ? '' : /[",\n]/.test(String(value)) ? `"${String(value).replace(/"/g, '""')}"` : String(value));
  return rows.map((row) => row.map(cell).join(',')).join('\n') + '\n';
}
