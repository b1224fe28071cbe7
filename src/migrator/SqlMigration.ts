/**
 * One of tododb's own migrations: plain SQL, so that running it needs neither Sequelize nor a
 * second round trip per statement, and so that its text — checksummed where it was applied — is
 * exactly what it runs. `schema` is the quoted schema name.
 */
export interface SqlMigration {
  name: string;
  /** The tables it creates: `up` refuses to start while any of them already exists. */
  creates: readonly string[];
  up(schema: string): string;
  down(schema: string): string;
}
