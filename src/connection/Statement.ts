import { createHash } from 'node:crypto';

/**
 * One SQL statement of the service layer, with the name it is prepared under where prepared
 * statements are safe. The name is derived from the text, so two texts never share a name and a
 * connection never holds more prepared statements than the service layer has statements.
 */
export interface Statement {
  readonly text: string;
  readonly name: string;
  /** A read may be served by a replica (when it is known to be fresh enough); a write never is. */
  readonly kind: 'read' | 'write';
}

/** Makes a {@link Statement} of `text`. Call it once per text (at module or handle set-up), not per query. */
export function statement(text: string, kind: 'read' | 'write'): Statement {
  return { text, kind, name: `tododb_${createHash('sha1').update(text).digest('hex').slice(0, 20)}` };
}
