// Summaries and the markdown table every benchmark prints.
import { cpus, loadavg } from 'node:os';

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

/**
 * Runs each of `cases` (name → call of operation `i`) in interleaved rounds at 1 and 16 callers,
 * and prints per case: µs per operation (median of the rounds, min, max), the ratio to
 * `baseline`'s median, and the median of the per-round ratios (steadier on a busy machine).
 * `ops` gives the operations of a round per concurrency; `warmOps` warms every path first.
 */
export async function compareCases({ cases, baseline, rounds, ops, warmOps, pool }) {
  const names = Object.keys(cases);
  const width = Math.max(16, ...names.map((name) => name.length + 2));
  const load = () =>
    loadavg()
      .map((value) => value.toFixed(2))
      .join(' ');
  console.log(`pool ${pool}, ${rounds} interleaved rounds; µs/op = a round's wall time ÷ its operations, median of the rounds;`);
  console.log(
    `ratio = median µs/op of the case ÷ that of ${baseline}; paired = median over rounds of the case ÷ ${baseline} in the same round`,
  );
  console.log(`(steadier on a busy machine). ${cpus().length} CPUs, load average before: ${load()}`);
  console.log(
    `${'case'.padEnd(width)} ${'callers'.padStart(7)} ${'ops/round'.padStart(9)} ${'µs/op'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)} ${'ratio'.padStart(7)} ${'paired'.padStart(7)}`,
  );
  for (const concurrency of [1, 16]) {
    for (const name of names) await microsPerOp(cases[name], warmOps, concurrency); // warm every path and the pool
    const results = Object.fromEntries(names.map((name) => [name, []]));
    for (let round = 0; round < rounds; round += 1) {
      // Rotate which case goes first, so that none always meets the warmest (or the busiest) moment.
      const order = names.map((_, k) => names[(k + round) % names.length]);
      for (const name of order) results[name].push(await microsPerOp(cases[name], ops[concurrency], concurrency));
    }
    const base = median(results[baseline]);
    for (const name of names) {
      const perOp = median(results[name]);
      const cells = [
        name.padEnd(width),
        String(concurrency).padStart(7),
        String(ops[concurrency]).padStart(9),
        perOp.toFixed(0).padStart(8),
        Math.min(...results[name])
          .toFixed(0)
          .padStart(8),
        Math.max(...results[name])
          .toFixed(0)
          .padStart(8),
        `${(perOp / base).toFixed(2)}x`.padStart(7),
        `${median(results[name].map((value, round) => value / results[baseline][round])).toFixed(2)}x`.padStart(7),
      ];
      console.log(cells.join(' '));
    }
  }
  console.log(`load average after: ${load()}`);
}
