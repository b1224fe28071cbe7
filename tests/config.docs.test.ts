// The README's configuration table and .env.example against the settings table that
// resolveConfig() reads (src/config/settings.ts): every option and variable is documented, with
// the default the code uses, so the docs cannot drift from the code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS, type Setting } from '../src/config/settings.js';
import { REPO_ROOT } from './fixtures/cli.js';

const settings: Setting[] = Object.values(SETTINGS);

/** The README's configuration table: option → its environment and default cells. */
function readmeTable(): Map<string, { env: string; default: string }> {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Configuration');
  // Up to the next heading: the TLS subsection has a table of its own (sslmode values).
  const section = readme.slice(start, readme.indexOf('\n#', start + 1));
  const rows = new Map<string, { env: string; default: string }>();
  for (const match of section.matchAll(/^\| `([\w.]+)` \| ([^|]+) \| ([^|]+) \|/gm)) {
    rows.set(match[1]!, { env: match[2]!.trim(), default: match[3]!.trim() });
  }
  return rows;
}

/** The variables of .env.example, set or commented out (`# NAME=value`), with their example values. */
function envExample(): Map<string, string> {
  const text = readFileSync(join(REPO_ROOT, '.env.example'), 'utf8');
  return new Map([...text.matchAll(/^(?:# )?(DATABASE_[A-Z_]+)=(.*)$/gm)].map((match) => [match[1]!, match[2]!.trim()]));
}

/** How the README writes a default: `10`, `tododb`, `false`; or the words of `defaultText`. */
function shownDefault(setting: Setting): string {
  return setting.fallback === undefined ? (setting.defaultText ?? '') : `\`${String(setting.fallback)}\``;
}

describe('the configuration docs', () => {
  const table = readmeTable();
  const example = envExample();

  it('has one README row per setting, and no row for a setting that does not exist', () => {
    expect([...table.keys()].sort()).toEqual(settings.map((setting) => setting.option).sort());
  });

  it.each(settings.map((setting) => [setting.option, setting] as const))(
    'README: %s has its variable and its default',
    (_option, setting) => {
      const row = table.get(setting.option);
      expect(row).toBeDefined();
      expect(row!.env).toBe(setting.env === undefined ? '—' : `\`${setting.env}\``);
      expect(row!.default).toBe(shownDefault(setting));
    },
  );

  it('lists every variable in .env.example, and nothing the code does not read', () => {
    const variables = settings.flatMap((setting) => (setting.env === undefined ? [] : [setting.env]));
    // MIGRATION_DATABASE_URL is the CLI's, not createDatabase()'s.
    expect([...example.keys()].sort()).toEqual(variables.sort());
  });

  it.each(
    settings
      .filter((setting) => setting.env !== undefined && setting.fallback !== undefined)
      .map((setting) => [setting.env!, setting] as const),
  )('.env.example: %s shows the default', (variable, setting) => {
    expect(example.get(variable)).toBe(String(setting.fallback));
  });
});
