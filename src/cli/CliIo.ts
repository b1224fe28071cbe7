import type { Env } from 'tododb';

/** Something text can be written to: `process.stdout`, or a buffer in tests. */
export interface TextSink {
  write(text: string): unknown;
}

/** The outside world of one CLI run, passed in so that `run()` can be tested in-process. */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  /** The environment, before the `.env` files are merged under it; it wins over them. */
  env: Env;
  /** Where the default `.env` files are looked for, and what `--env-file` paths are relative to. */
  cwd: string;
}
