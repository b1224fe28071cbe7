import { checkHealth } from 'tododb';
import type { Command } from '../Command.js';
import { withDatabase } from '../withDatabase.js';

export const health: Command = {
  path: ['health'],
  summary: 'Check that the database is usable (exit 0 when ok, 1 otherwise)',
  options: {
    json: { type: 'boolean', description: 'Print the health report as JSON' },
  },
  run: (context) => {
    // The global --timeout bounds the whole check here, not only connecting (withDatabase).
    const timeoutMs = context.timeoutMs ?? 2000;
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
