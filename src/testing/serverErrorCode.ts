/** The SQLSTATE of an error from pg (a server error), or undefined. */
export function serverErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
