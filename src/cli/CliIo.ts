import type { Env } from 'tododb';

/** Something text can be written to: `process.stdout`, or a buffer in tests. */
export interface TextSink {
  write(text: string): unknown;
}

/** The outside world of one CLI run, passed in so that `run()` can be tested in-process. */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  /** The environment, before `.env` is merged in. */
  env: Env;
  /** Where `.env` is looked for. */
  cwd: string;
}
