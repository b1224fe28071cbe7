import { createRequire } from 'node:module';
import type * as OpenTelemetryApi from '@opentelemetry/api';

/** `@opentelemetry/api`, as tododb uses it. */
export type OpenTelemetry = typeof OpenTelemetryApi;

// An optional peer dependency, required (not imported) on first use: an application without it
// never loads it, and one with it shares the API's global registry (a Symbol.for key) with its
// own copy, ESM or CommonJS, so the provider the application registers is the one tododb sees.
const requireLazily = createRequire(import.meta.url);

// The API's registry of providers: `@opentelemetry/api` 1.x keeps it on globalThis under this
// key once anything registered a tracer or meter provider (or a context manager) with it.
const API_REGISTRY = Symbol.for('opentelemetry.js.api.1');

let loaded: OpenTelemetry | null | undefined;
let noopTracerProvider: OpenTelemetryApi.TracerProvider | undefined;
let tracerOf: { delegate: OpenTelemetryApi.TracerProvider; tracer: OpenTelemetryApi.Tracer | undefined } | undefined;

/**
 * `@opentelemetry/api` when it is installed and something has registered with it, else
 * `undefined`. Until a provider is registered there is nobody to report to, so the API is not
 * loaded at all: loading it cost some 20 ms of createDatabase() in a cold process. Once the
 * registry exists it is required (tried once per process).
 */
export function openTelemetry(): OpenTelemetry | undefined {
  if (loaded === undefined) {
    if ((globalThis as Record<symbol, unknown>)[API_REGISTRY] === undefined) return undefined;
    try {
      loaded = requireLazily('@opentelemetry/api') as OpenTelemetry;
      // A provider that was never given a delegate answers with the API's no-op provider: the
      // one object to compare with to tell "nobody registered a tracer provider".
      noopTracerProvider = new loaded.ProxyTracerProvider().getDelegate();
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/**
 * tododb's tracer, or `undefined` when `@opentelemetry/api` is absent or no tracer provider is
 * registered: then callers skip every span, so tracing costs nothing. Checked on every call (a
 * few property reads), since an application may register its provider after createDatabase().
 */
export function activeTracer(): OpenTelemetryApi.Tracer | undefined {
  const api = openTelemetry();
  if (!api) return undefined;
  const provider = api.trace.getTracerProvider() as OpenTelemetryApi.TracerProvider & {
    getDelegate?: () => OpenTelemetryApi.TracerProvider;
  };
  const delegate = typeof provider.getDelegate === 'function' ? provider.getDelegate() : provider;
  if (tracerOf?.delegate !== delegate) {
    tracerOf = { delegate, tracer: delegate === noopTracerProvider ? undefined : delegate.getTracer('tododb', tododbVersion()) };
  }
  return tracerOf.tracer;
}

let version: string | undefined;

/** The installed tododb's version, for the tracer and the meter; `undefined` if it cannot be read (a bundled copy). */
export function tododbVersion(): string | undefined {
  if (version === undefined) {
    try {
      version = (requireLazily('tododb/package.json') as { version: string }).version;
    } catch {
      version = '';
    }
  }
  return version === '' ? undefined : version;
}
