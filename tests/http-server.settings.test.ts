// The example server's settings and logs, in-process: which .env files it reads and in what
// order (as tododb's CLI does), and when its log lines are made readable by pino-pretty.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../examples/http-server/createLogger.js';
import { loadEnvFiles } from '../examples/http-server/loadEnvFiles.js';

describe('loadEnvFiles', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tododb-env-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  // Each file sets the variables named after it and those of every later file, so the value
  // read says which file won.
  const FILES = ['.env', '.env.local', '.env.staging', '.env.staging.local'];
  function writeFiles(names: string[]): void {
    for (const name of names) {
      const later = FILES.slice(FILES.indexOf(name));
      const lines = later.map((winner) => `FROM${winner.replaceAll('.', '_').toUpperCase()}=${name}`);
      writeFileSync(join(dir, name), `${lines.join('\n')}\nSHARED=${name}\n`);
    }
  }

  it('reads .env, .env.local, .env.$NODE_ENV, .env.$NODE_ENV.local, each later one overriding the earlier', () => {
    writeFiles(FILES);
    const { env, files } = loadEnvFiles(dir, { NODE_ENV: 'staging' });
    expect(files).toEqual(FILES);
    expect(env).toMatchObject({
      FROM_ENV: '.env',
      FROM_ENV_LOCAL: '.env.local',
      FROM_ENV_STAGING: '.env.staging',
      FROM_ENV_STAGING_LOCAL: '.env.staging.local',
      SHARED: '.env.staging.local',
    });
  });

  it('lets a variable of the environment win over every file, and leaves the environment untouched', () => {
    writeFiles(FILES);
    const environment = { NODE_ENV: 'staging', SHARED: 'from the environment', EMPTY: '' };
    writeFileSync(join(dir, '.env.staging.local'), 'SHARED=file\nEMPTY=file\n');
    const { env } = loadEnvFiles(dir, environment);
    expect(env.SHARED).toBe('from the environment');
    expect(env.EMPTY).toBe(''); // set, though empty: still the environment's
    expect(environment).toEqual({ NODE_ENV: 'staging', SHARED: 'from the environment', EMPTY: '' });
  });

  it('skips the files that are missing, and the $NODE_ENV ones when NODE_ENV is unset', () => {
    writeFiles(['.env', '.env.staging']);
    expect(loadEnvFiles(dir, { NODE_ENV: 'staging' })).toMatchObject({ files: ['.env', '.env.staging'], env: { SHARED: '.env.staging' } });
    writeFiles(['.env.local']);
    expect(loadEnvFiles(dir, {})).toMatchObject({ files: ['.env', '.env.local'], env: { SHARED: '.env.local' } });
    expect(loadEnvFiles(join(dir, 'nothing-here'), { A: '1' })).toEqual({ files: [], env: { A: '1' } });
  });

  it('refuses a NODE_ENV that is not a plain name, naming the variable but not its value', () => {
    expect(() => loadEnvFiles(dir, { NODE_ENV: '../secret-folder/x' })).toThrow(/NODE_ENV/);
    expect(() => loadEnvFiles(dir, { NODE_ENV: '../secret-folder/x' })).not.toThrow(/secret-folder/);
  });
});

describe('createLogger', () => {
  function output(isTTY: boolean) {
    let text = '';
    const stream = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          text += chunk.toString();
          done();
        },
      }),
      { isTTY },
    );
    return { stream, text: () => text };
  }

  it('writes readable lines (pino-pretty) to a terminal in development', async () => {
    const out = output(true);
    const logger = await createLogger({ level: 'info', env: { NODE_ENV: 'development' }, output: out.stream });
    logger.info({ reqId: 'r-1' }, 'hello there');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the ANSI colour codes removed here
    const text = out.text().replace(/\u001b\[[\d;]*m/g, ''); // without colours
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: hello there\n\s+reqId: "r-1"\n$/);
  });

  it.each([
    ['a terminal in production', true, 'production'],
    ['a pipe or a file', false, 'development'],
  ])('writes JSON lines to %s', async (_case, isTTY, nodeEnv) => {
    const out = output(isTTY);
    const logger = await createLogger({ level: 'info', env: { NODE_ENV: nodeEnv }, output: out.stream });
    logger.info({ reqId: 'r-2' }, 'hello there');
    expect(JSON.parse(out.text())).toMatchObject({ level: 30, msg: 'hello there', reqId: 'r-2' });
  });
});
