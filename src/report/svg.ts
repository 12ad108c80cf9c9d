/** Small self-contained SVG charts for the HTML report (no external scripts or fonts). */

const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"];

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Grouped vertical bars: one group per category, one bar per series; values in [0, 1]. */
export function groupedBarChart(title: string, categories: string[], series: { name: string; values: number[] }[]): string {
  const width = 640, height = 300, left = 48, bottom = 40, top = 36, right = 16;
  const plotW = width - left - right, plotH = height - top - bottom;
  const groupW = plotW / Math.max(1, categories.length);
  const barW = (groupW * 0.8) / Math.max(1, series.length);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}" font-family="sans-serif" font-size="11">`];
  parts.push(`<text x="${left}" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const y = top + plotH * (1 - tick);
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${left - 6}" y="${y + 4}" text-anchor="end">${Math.round(tick * 100)}%</text>`);
  }
  categories.forEach((cat, ci) => {
    const gx = left + ci * groupW + groupW * 0.1;
    series.forEach((s, si) => {
      const v = Math.max(0, Math.min(1, s.values[ci] ?? 0));
      const h = plotH * v;
      const x = gx + si * barW;
      parts.push(`<rect x="${x.toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${(barW * 0.9).toFixed(1)}" height="${h.toFixed(1)}" fill="${PALETTE[si % PALETTE.length]}"><title>${escapeXml(`${s.name} ${cat}: ${(100 * v).toFixed(1)}%`)}</title></rect>`);
    });
    parts.push(`<text x="${(left + ci * groupW + groupW / 2).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${escapeXml(cat)}</text>`);
  });
  series.forEach((s, si) => {
    const x = left + si * 110;
    parts.push(`<rect x="${x}" y="${height - 14}" width="10" height="10" fill="${PALETTE[si % PALETTE.length]}"/><text x="${x + 14}" y="${height - 5}">${escapeXml(s.name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}

/** A forest plot: each row a difference with its interval, around a zero line. */
export function intervalChart(title: string, rows: { label: string; mean: number; low: number; high: number }[]): string {
  const width = 640, rowH = 28, top = 36, left = 200, right = 24;
  const height = top + rowH * Math.max(1, rows.length) + 28;
  const extent = Math.max(0.05, ...rows.flatMap((r) => [Math.abs(r.low), Math.abs(r.high)]));
  const x = (v: number): number => left + ((v + extent) / (2 * extent)) * (width - left - right);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}" font-family="sans-serif" font-size="11">`];
  parts.push(`<text x="8" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  parts.push(`<line x1="${x(0)}" x2="${x(0)}" y1="${top - 6}" y2="${height - 24}" stroke="#999" stroke-dasharray="3,3"/>`);
  rows.forEach((r, i) => {
    const y = top + i * rowH + rowH / 2;
    const color = r.low > 0 ? "#59a14f" : r.high < 0 ? "#e15759" : "#4e79a7";
    parts.push(`<text x="8" y="${y + 4}">${escapeXml(r.label)}</text>`);
    parts.push(`<line x1="${x(r.low).toFixed(1)}" x2="${x(r.high).toFixed(1)}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<circle cx="${x(r.mean).toFixed(1)}" cy="${y}" r="4" fill="${color}"><title>${escapeXml(`${r.label}: ${(100 * r.mean).toFixed(1)} [${(100 * r.low).toFixed(1)}, ${(100 * r.high).toFixed(1)}] points`)}</title></circle>`);
  });
  const axisY = height - 12;
  for (const v of [-extent, 0, extent]) parts.push(`<text x="${x(v)}" y="${axisY}" text-anchor="middle">${v > 0 ? "+" : ""}${(100 * v).toFixed(0)} pts</text>`);
  parts.push("</svg>");
  return parts.join("");
}

/** Lines over steps (or another x, named by `xLabel`), one per series, on a y axis from the data's lowest value (or 0) to its highest. */
export function lineChart(title: string, series: { name: string; points: [number, number][] }[], xLabel = "step"): string {
  const width = 640, height = 240, left = 56, bottom = 36, top = 36, right = 16;
  const plotW = width - left - right, plotH = height - top - bottom;
  const all = series.flatMap((s) => s.points);
  const xMax = Math.max(1, ...all.map((p) => p[0]));
  const xMin = Math.min(xMax - 1, ...all.map((p) => p[0]));
  const yMin = Math.min(0, ...all.map((p) => p[1]));
  const yMax = Math.max(yMin + 1e-9, ...all.map((p) => p[1]));
  const x = (v: number): number => left + ((v - xMin) / (xMax - xMin)) * plotW;
  const y = (v: number): number => top + plotH * (1 - (v - yMin) / (yMax - yMin));
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}" font-family="sans-serif" font-size="11">`];
  parts.push(`<text x="8" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  for (const tick of [0, 0.5, 1]) {
    const v = yMin + tick * (yMax - yMin);
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/><text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toPrecision(3)}</text>`);
  }
  parts.push(`<text x="${left}" y="${height - bottom + 16}">${escapeXml(xLabel)} ${xMin}</text><text x="${width - right}" y="${height - bottom + 16}" text-anchor="end">${xMax}</text>`);
  series.forEach((s, si) => {
    const color = PALETTE[si % PALETTE.length];
    const path = s.points.map((p, i) => `${i === 0 ? "M" : "L"}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join("");
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="1.5"><title>${escapeXml(s.name)}</title></path>`);
    // a point per value when there are few, so that a short curve (pass@k over a few k) is readable
    if (s.points.length <= 20) for (const p of s.points) parts.push(`<circle cx="${x(p[0]).toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="3" fill="${color}"><title>${escapeXml(`${s.name}: ${xLabel} ${p[0]}: ${p[1].toPrecision(3)}`)}</title></circle>`);
    parts.push(`<rect x="${left + si * 140}" y="${height - 14}" width="10" height="10" fill="${color}"/><text x="${left + si * 140 + 14}" y="${height - 5}">${escapeXml(s.name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}

/** One horizontal bar per row, split into its parts' shares (each row sums to 100%); a legend of the parts below. */
export function stackedBarChart(title: string, parts: string[], rows: { name: string; counts: number[] }[], colors: readonly string[] = PALETTE): string {
  const width = 640, rowH = 26, top = 36, left = 120, right = 16;
  const legendRows = Math.ceil(parts.length / 5);
  const height = top + rowH * Math.max(1, rows.length) + 8 + legendRows * 18;
  const plotW = width - left - right;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}" font-family="sans-serif" font-size="11">`];
  out.push(`<text x="8" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  rows.forEach((row, ri) => {
    const total = row.counts.reduce((a, b) => a + b, 0);
    const y = top + ri * rowH;
    out.push(`<text x="8" y="${y + 15}">${escapeXml(row.name)}</text>`);
    let x = left;
    row.counts.forEach((count, pi) => {
      if (count === 0 || total === 0) return;
      const w = (plotW * count) / total;
      out.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${colors[pi % colors.length]}"><title>${escapeXml(`${row.name} ${parts[pi] ?? ""}: ${count} (${((100 * count) / total).toFixed(1)}%)`)}</title></rect>`);
      x += w;
    });
  });
  parts.forEach((part, pi) => {
    const lx = left + (pi % 5) * 100, ly = top + rowH * Math.max(1, rows.length) + 8 + Math.floor(pi / 5) * 18;
    out.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${colors[pi % colors.length]}"/><text x="${lx + 14}" y="${ly + 9}">${escapeXml(part)}</text>`);
  });
  out.push("</svg>");
  return out.join("");
}
