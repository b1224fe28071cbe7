import { cpus, loadavg } from 'node:os';

/**
 * One line that says what the figures were measured on: the load average matters, since other
 * work on a small machine moves every figure (interleaving the contenders keeps ratios fair).
 */
export function machineLine() {
  const [one, five] = loadavg();
  const cpu = cpus();
  return `node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, load average ${one.toFixed(2)} (1 min) / ${five.toFixed(2)} (5 min)`;
}
