// Summaries and the markdown table every benchmark prints.

/** The median of `values` (the upper one of an even count). */
export function median(values) {
  return percentile(values, 50);
}

/** The nearest-rank percentile `p` (0–100) of `values`. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** Formats a number with `digits` decimals, or `—` when there is none. */
export function fixed(value, digits = 1) {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

/** A markdown table: one header row, then `rows` (arrays of cells). */
export function markdownTable(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  const rule = line(headers.map((_header, i) => (i === 0 ? '---' : '---:')));
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/**
 * Runs `ops` calls of `run(i)` from `concurrency` callers at once; returns the wall time per
 * call in µs.
 */
export async function microsPerOp(run, ops, concurrency) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ops) await run(next++);
    }),
  );
  return ((performance.now() - started) * 1000) / ops;
}
