// Files made in the page: CSV text and PNG pictures (lib/picture.js), saved through a temporary link.

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

export function downloadCanvas(canvas, filename) {
  canvas.toBlob((blob) => downloadBlob(blob, filename), 'image/png');
}

/**
 * The loss history as CSV rows, one per step, run and loss: `step, run, kind, mistake, measured_on, loss` (the
 * mistake's id, empty for a right run). `measured_on` says what the loss is of: `batch`, the mini-batch (or single
 * example) that step trained on; `training_set`, every training example; `test_set`, the held-out examples
 * (measured every 8 steps: no row between). A run's loss is empty after it diverged. `runs` are the page's runs
 * (run-kinds.js runsOf), `history` the server's `history` reply: every step up to its cap, then every `stride`-th.
 */
export function lossHistoryRows(runs, history) {
  const columns = history.runs.map((id) => runs.find((run) => run.id === id) ?? { id, kind: '', mistake: null });
  const rows = [['step', 'run', 'kind', 'mistake', 'measured_on', 'loss']];
  history.steps.forEach((step, i) => columns.forEach((run, r) => {
    const row = (measuredOn, loss) => rows.push([step, run.id, run.kind, run.mistake, measuredOn, loss]);
    row(history.measured_on[i], history.loss[i][r]);
    const test = history.test_loss?.[i][r];
    if (test !== null && test !== undefined) row('test_set', test);
  }));
  return rows;
}

export function toCsv(rows) {
  const cell = (value) => (value === null || value === undefined ? '' : /[",\n]/.test(String(value)) ? `"${String(value).replace(/"/g, '""')}"` : String(value));
  return rows.map((row) => row.map(cell).join(',')).join('\n') + '\n';
}
