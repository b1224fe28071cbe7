import { checkHealth } from 'tododb';
import type { Command } from '../Command.js';
import { usageLine } from '../help.js';
import { UsageError } from '../UsageError.js';
import { withDatabase } from '../withDatabase.js';

export const health: Command = {
  path: ['health'],
  summary: 'Check that the database is usable (exit 0 when ok, 1 otherwise)',
  options: {
    json: { type: 'boolean', description: 'Print the health report as JSON' },
    timeout: { type: 'string', valueName: 'MS', description: 'Give up after this many milliseconds (default 2000)' },
  },
  run: (context) => {
    const timeoutText = context.options.timeout;
    const timeoutMs = timeoutText === undefined ? 2000 : Number(timeoutText);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
      throw new UsageError('Expected --timeout to be a positive whole number of milliseconds', usageLine(health, [health]));
    }
    return withDatabase(context, async (db) => {
      const report = await checkHealth(db, { timeoutMs });
      const { stdout, stderr } = context.io;
      if (context.options.json === true) {
        stdout.write(`${JSON.stringify(report)}\n`);
      } else {
        const parts = [`${report.status}`, `latency ${report.latencyMs} ms`];
        if (report.serverVersion) parts.push(`PostgreSQL ${report.serverVersion}`);
        if (report.migrations) parts.push(`migrations ${report.migrations.applied} applied, ${report.migrations.pending} pending`);
        stdout.write(`${parts.join('  ')}\n`);
      }
      if (report.status === 'ok') return 0;
      stderr.write(`tododb: unhealthy: ${report.reason ?? 'unknown reason'}\n`);
      return 1;
    });
  },
};
