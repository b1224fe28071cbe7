import type { Attributes } from '@opentelemetry/api';
import type { HealthReport } from '../health/HealthReport.js';
import { activeTracer, openTelemetry } from './openTelemetry.js';

/**
 * Runs one health probe in a client span, `tododb.health`, with the report's status and latency.
 * A report with `status: 'error'` ends the span as failed (`error.type` `tododb.unhealthy`), its
 * reason as the status message: the report never holds a password, user, host or URL. Without a
 * registered tracer provider it only runs `probe`.
 */
export function traceHealthProbe(target: Readonly<Attributes> | undefined, probe: () => Promise<HealthReport>): Promise<HealthReport> {
  const tracer = activeTracer();
  if (!tracer) return probe();
  const api = openTelemetry()!;
  const span = tracer.startSpan('tododb.health', { kind: api.SpanKind.CLIENT, attributes: target });
  return api.context.with(api.trace.setSpan(api.context.active(), span), probe).then((report) => {
    span.setAttributes({ 'tododb.health.status': report.status, 'tododb.health.latency_ms': report.latencyMs });
    if (report.status === 'error') {
      span.setAttribute('error.type', 'tododb.unhealthy');
      span.setStatus({ code: api.SpanStatusCode.ERROR, ...(report.reason === undefined ? {} : { message: report.reason }) });
    }
    span.end();
    return report;
  });
}
