/**
 * A field of the pg error behind `error` (`code`, `constraint`, `column`, …), found whether
 * the error is pg's own or Sequelize's wrapper of it (`parent`, `original`). Only strings.
 */
export function pgErrorField(error: unknown, key: 'code' | 'constraint' | 'column'): string | undefined {
  const candidate = error as (Record<string, unknown> & { parent?: Record<string, unknown>; original?: Record<string, unknown> }) | null;
  const value = candidate?.parent?.[key] ?? candidate?.original?.[key] ?? candidate?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** The SQLSTATE of a pg error, also when Sequelize wrapped it. */
export function sqlState(error: unknown): string | undefined {
  return pgErrorField(error, 'code');
}
