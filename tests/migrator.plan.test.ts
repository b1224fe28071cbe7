// planUp, planDown and migrationStatus alone, without a database: in particular a tododb release
// whose new migration (0003) comes after applied application migrations.
import { describe, expect, it } from 'vitest';
import { MigrationError } from '../src/index.js';
import type { KnownMigration, MigrationSource } from '../src/migrator/knownMigrations.js';
import type { AppliedMigration } from '../src/migrator/migrationTable.js';
import { migrationStatus, planDown, planUp } from '../src/migrator/planMigrations.js';

function known(name: string, source: MigrationSource, options: { checksum?: string; reversible?: boolean } = {}): KnownMigration {
  return {
    name,
    source,
    checksum: options.checksum ?? `sum-${name}`,
    creates: [],
    reversible: options.reversible ?? true,
    run: async () => {},
  };
}

/** Applied rows in the order given, one minute apart, with the checksum `known` gives by default. */
function applied(...rows: [name: string, source: MigrationSource, checksum?: string | null][]): AppliedMigration[] {
  return rows.map(([name, source, checksum], index) => ({
    name,
    source,
    checksum: checksum === undefined ? `sum-${name}` : checksum,
    appliedAt: new Date(Date.UTC(2026, 0, 1, 0, index)),
  }));
}

const names = (migrations: readonly { name: string }[]) => migrations.map((migration) => migration.name);

function planError(plan: () => unknown): MigrationError {
  try {
    plan();
  } catch (error) {
    expect(error).toBeInstanceOf(MigrationError);
    return error as MigrationError;
  }
  throw new Error('expected the plan to be refused');
}

// A tododb release ships 0003; the application applied its own after the earlier release's 0001 and
// 0002. Stand-ins named like tododb's own: the planner sees only names, sources and checksums.
const T1 = known('0001-create-users', 'tododb');
const T2 = known('0002-create-tasks', 'tododb');
const T3 = known('0003-tasks-row-level-security', 'tododb');
const A = known('20260101-a', 'app');
const B = known('20260102-b', 'app');
const C = known('20260103-c', 'app');
const APPLIED = applied(['0001-create-users', 'tododb'], ['0002-create-tasks', 'tododb'], ['20260101-a', 'app'], ['20260102-b', 'app']);

describe('planUp after a tododb upgrade that adds a migration', () => {
  it('plans the new tododb migration although it sorts before the applied application ones: each source has its own order', () => {
    expect(names(planUp([T1, T2, T3, A, B], APPLIED, {}))).toEqual(['0003-tasks-row-level-security']);
  });

  it("plans tododb's new migration before the application's pending one", () => {
    expect(names(planUp([T1, T2, T3, A, B, C], APPLIED, {}))).toEqual(['0003-tasks-row-level-security', '20260103-c']);
    expect(names(planUp([T1, T2, T3, A, B, C], APPLIED, { to: '0003-tasks-row-level-security' }))).toEqual([
      '0003-tasks-row-level-security',
    ]);
  });

  it('reports it pending with its source, and reverts it first once applied after the others', () => {
    expect(migrationStatus([T1, T2, T3, A, B], APPLIED).pending).toEqual([{ name: '0003-tasks-row-level-security', source: 'tododb' }]);
    const after = [
      ...APPLIED,
      ...applied(['0003-tasks-row-level-security', 'tododb']).map((row) => ({ ...row, appliedAt: new Date(Date.UTC(2026, 1, 1)) })),
    ];
    expect(names(planDown([T1, T2, T3, A, B], after, {}))).toEqual(['0003-tasks-row-level-security']);
    expect(names(planDown([T1, T2, T3, A, B], after, { to: 0 }))).toEqual([
      '0003-tasks-row-level-security',
      '20260102-b',
      '20260101-a',
      '0002-create-tasks',
      '0001-create-users',
    ]);
  });
});

describe('planUp refusals', () => {
  it('refuses a migration sorting before an applied one of its own source, naming both', () => {
    const early = known('20260101-0-early', 'app');
    const error = planError(() => planUp([T1, T2, early, A, B, C], APPLIED, {}));
    expect(error).toMatchObject({ code: 'MIGRATION_OUT_OF_ORDER', migration: '20260101-0-early' });
    expect(error.message).toContain('20260102-b');
  });

  it('refuses a tododb migration sorting before an applied tododb one', () => {
    const inserted = known('0001-5-inserted', 'tododb');
    expect(planError(() => planUp([T1, inserted, T2, A, B], APPLIED, {}))).toMatchObject({
      code: 'MIGRATION_OUT_OF_ORDER',
      migration: '0001-5-inserted',
    });
  });

  it('refuses when an applied migration changed, unless allowChanged', () => {
    const edited = known('20260101-a', 'app', { checksum: 'edited' });
    expect(planError(() => planUp([T1, T2, edited, B, C], APPLIED, {}))).toMatchObject({
      code: 'MIGRATION_CHANGED',
      migration: '20260101-a',
    });
    expect(names(planUp([T1, T2, edited, B, C], APPLIED, { allowChanged: true }))).toEqual(['20260103-c']);
  });

  it('does not count a row without a checksum (tododb 0.0.x) as changed', () => {
    const old = applied(['0001-create-users', 'tododb', null], ['0002-create-tasks', 'tododb', null]);
    expect(migrationStatus([T1, T2], old)).toMatchObject({ changed: [], pending: [], unknown: [] });
    expect(planUp([T1, T2], old, {})).toEqual([]);
  });
});

describe('migrationStatus and planDown with migrations the migrator does not know', () => {
  it('lists an applied migration missing from the known ones as unknown, with the source its row records', () => {
    const status = migrationStatus([T1, T2], APPLIED);
    expect(status.unknown).toEqual(['20260101-a', '20260102-b']);
    expect(status.executed.map((row) => [row.name, row.source])).toEqual([
      ['0001-create-users', 'tododb'],
      ['0002-create-tasks', 'tododb'],
      ['20260101-a', 'app'],
      ['20260102-b', 'app'],
    ]);
  });

  it('refuses to revert an unknown migration, and one without down, before reverting anything', () => {
    expect(planError(() => planDown([T1, T2, A], APPLIED, {}))).toMatchObject({ code: 'MIGRATION_UNKNOWN', migration: '20260102-b' });
    const oneWay = known('20260101-a', 'app', { reversible: false });
    expect(names(planDown([T1, T2, oneWay, B], APPLIED, {}))).toEqual(['20260102-b']);
    expect(planError(() => planDown([T1, T2, oneWay, B], APPLIED, { to: 0 }))).toMatchObject({
      code: 'MIGRATION_IRREVERSIBLE',
      migration: '20260101-a',
    });
  });

  it('reverts down to and including a named migration, newest first', () => {
    expect(names(planDown([T1, T2, A, B], APPLIED, { to: '20260101-a' }))).toEqual(['20260102-b', '20260101-a']);
  });
});
