// `npm run api` (--local: write the reports) and `npm run api:check` (fail when the public surface
// differs from the reports in etc/): API Extractor on dist/index.d.ts and dist/testing.d.ts,
// which the npm scripts build first. Any warning fails too: each one that does not apply to
// tododb is turned off, with the reason, in api-extractor.json.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const local = process.argv.includes('--local');

// dist/testing.d.ts imports the library as `tododb`, which TypeScript resolves to this very
// package (a self-reference), so API Extractor would take its types for the kit's own and
// report them as "forgotten exports". Resolved through a node_modules folder (the path that
// api-extractor.testing.json maps `tododb` to), they are an external package's, as users see them.
const link = join(root, '.tmp', 'api-extractor', 'node_modules', 'tododb');
mkdirSync(dirname(link), { recursive: true });
rmSync(link, { force: true });
symlinkSync(root, link, 'dir');

let failed = false;
for (const file of ['api-extractor.json', 'api-extractor.testing.json']) {
  const config = ExtractorConfig.loadFileAndPrepare(join(root, file));
  // Warnings about the code and its comments; not "the report was updated", which --local expects.
  let warnings = 0;
  const messageCallback = (message) => {
    if (message.logLevel === 'warning' && message.category !== 'console') warnings += 1;
  };
  const result = Extractor.invoke(config, { localBuild: local, messageCallback });
  const report = config.reportFilePath.slice(root.length + 1);
  if (!result.succeeded || warnings > 0) {
    failed = true;
    console.error(`${file}: ${result.errorCount} errors, ${warnings} warnings`);
  }
  if (result.apiReportChanged) {
    console.error(
      local ? `${report} updated: commit it with the change` : `${report} differs from the public surface: run npm run api and commit it`,
    );
  }
}
process.exitCode = failed ? 1 : 0;
