#!/usr/bin/env node
// The `tododb` executable: everything else lives in run(), which tests call in-process.
import { run } from './run.js';

process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
