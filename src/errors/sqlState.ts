/** The SQLSTATE of a pg error, also when Sequelize wrapped it. */
export function sqlState(error: unknown): string | undefined {
  const candidate = error as { parent?: { code?: unknown }; original?: { code?: unknown }; code?: unknown } | null;
  const code = candidate?.parent?.code ?? candidate?.original?.code ?? candidate?.code;
  return typeof code === 'string' ? code : undefined;
}
