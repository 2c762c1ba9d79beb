// One PNG of a card: its title once, its legend drawn on the canvas (uPlot's legend is DOM, so a plain copy of the
// chart's canvas loses it), then each panel (a run's chart or grid) under its name. Everything is measured first:
// the picture is at least as wide as its widest text, and the legend wraps into rows, so nothing is cut.

import { NEUTRAL } from './colors.js';

// CSS pixels; the picture is drawn at the page's pixel ratio, as the canvases it copies are.
export const SWATCH = { width: 28, height: 5, box: 12, gap: 6, spacing: 18 };
const PAD = 12;
export const TITLE_FONT = '600 15px system-ui, sans-serif';
const TEXT_FONT = '13px system-ui, sans-serif';
const NAME_FONT = '600 13px system-ui, sans-serif'; // a panel's run, apart from the legend's series
const LINE = 20; // height of a line of text or of legend entries

/** A uPlot chart's series as legend entries (label, colour, dash), without the x series and hidden ones. */
export function seriesLegend(chart) {
  return chart.series.flatMap((series, i) => (i === 0 || series.show === false ? [] : [{
    label: series.label,
    color: typeof series.stroke === 'function' ? series.stroke(chart, i) : series.stroke,
    dash: series.dash?.length ? series.dash : null,
  }]));
}

/** An entry's width: its swatch (a line sample, or a box for an area's colour), a gap, its label. */
export function entryWidth(entry, measure) {
  return (entry.box ? SWATCH.box : SWATCH.width) + SWATCH.gap + measure(entry.label);
}

/**
 * Legend entries left to right, wrapped into rows no wider than `width` (an entry wider than that gets a row of
 * its own, and the picture is made that wide): [{entry, x, row}] and how many rows.
 */
export function layoutLegend(entries, width, measure) {
  const placed = [];
  let x = 0;
  let row = 0;
  for (const entry of entries) {
    const w = entryWidth(entry, measure);
    if (x > 0 && x + w > width) {
      x = 0;
      row += 1;
    }
    placed.push({ entry, x, row });
    x += w + SWATCH.spacing;
  }
  return { placed, rows: entries.length ? row + 1 : 0 };
}

/** A line sample: the series' dash as bars, or one bar; a box for an area's colour. */
function drawSwatch(ctx, x, y, { color, dash, box }) {
  ctx.fillStyle = color;
  // Whole pixels, so no edge is blended with the white around it.
  if (box) return ctx.fillRect(x, y + Math.round((LINE - SWATCH.box) / 2), SWATCH.box, SWATCH.box);
  const top = y + Math.round((LINE - SWATCH.height) / 2);
  if (!dash) return ctx.fillRect(x, top, SWATCH.width, SWATCH.height);
  for (let at = 0, k = 0; at < SWATCH.width; at += dash[k % dash.length], k++) {
    if (k % 2 === 0) ctx.fillRect(x + at, top, Math.min(dash[k % dash.length], SWATCH.width - at), SWATCH.height);
  }
}

function drawLegend(ctx, layout, x0, y0) {
  ctx.font = TEXT_FONT;
  for (const { entry, x, row } of layout.placed) {
    const y = y0 + row * LINE;
    drawSwatch(ctx, x0 + x, y, entry);
    ctx.fillStyle = NEUTRAL;
    ctx.fillText(entry.label, x0 + x + (entry.box ? SWATCH.box : SWATCH.width) + SWATCH.gap, y + LINE / 2);
  }
}

/**
 * The picture: `title`; `legend` entries ({label, color, dash, box}) under it; then each panel ({canvas, name,
 * run: {color, dash} for a swatch before the name, caption under it}). Canvases are copied pixel for pixel.
 */
export function composePicture({ title, legend = [], panels }) {
  const ratio = window.devicePixelRatio || 1;
  const out = document.createElement('canvas');
  const ctx = out.getContext('2d');
  const measure = (font) => (text) => {
    ctx.font = font;
    return Math.ceil(ctx.measureText(text).width);
  };
  const text = measure(TEXT_FONT);
  const nameWidth = (panel) => (panel.run ? SWATCH.width + SWATCH.gap : 0) + measure(NAME_FONT)(panel.name ?? '');
  const inner = Math.max(
    measure(TITLE_FONT)(title),
    ...legend.map((entry) => entryWidth(entry, text)),
    ...panels.map((panel) => Math.max(panel.canvas.width / ratio, nameWidth(panel), text(panel.caption ?? ''))),
  );
  const layout = layoutLegend(legend, inner, text);
  const panelHeight = (panel) => (panel.name ? LINE : 0) + panel.canvas.height / ratio + (panel.caption ? LINE : 0) + PAD;
  const width = inner + 2 * PAD;
  const height = PAD + LINE + layout.rows * LINE + PAD + panels.reduce((sum, panel) => sum + panelHeight(panel), 0);
  out.width = Math.ceil(width * ratio);
  out.height = Math.ceil(height * ratio);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.textBaseline = 'middle';
  ctx.fillStyle = NEUTRAL;
  ctx.font = TITLE_FONT;
  ctx.fillText(title, PAD, PAD + LINE / 2);
  let y = PAD + LINE;
  drawLegend(ctx, layout, PAD, y);
  y += layout.rows * LINE + PAD;
  for (const panel of panels) {
    if (panel.name) {
      if (panel.run) drawSwatch(ctx, PAD, y, panel.run);
      ctx.font = NAME_FONT;
      ctx.fillStyle = NEUTRAL;
      ctx.fillText(panel.name, PAD + (panel.run ? SWATCH.width + SWATCH.gap : 0), y + LINE / 2);
      y += LINE;
    }
    ctx.drawImage(panel.canvas, PAD, y, panel.canvas.width / ratio, panel.canvas.height / ratio);
    y += panel.canvas.height / ratio;
    if (panel.caption) {
      ctx.font = TEXT_FONT;
      ctx.fillStyle = NEUTRAL;
      ctx.fillText(panel.caption, PAD, y + LINE / 2);
      y += LINE;
    }
    y += PAD;
  }
  return out;
}
