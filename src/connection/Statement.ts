/**
 * One SQL statement of the service layer, with the name it is prepared under where prepared
 * statements are safe. A text has one name for the life of the process and two texts never share
 * one, so a connection never holds more prepared statements than the service layer has texts.
 */
export interface Statement {
  readonly text: string;
  readonly name: string;
  /** A read may be served by a replica (when it is known to be fresh enough); a write never is. */
  readonly kind: 'read' | 'write';
}

// Names by text, numbered in the order the texts are first made: a counter, not a hash of the
// text, because a first hash costs more than a millisecond of createDatabase() in a new process.
const names = new Map<string, string>();

/** Makes a {@link Statement} of `text`. Call it once per text (at module or handle set-up), not per query. */
export function statement(text: string, kind: 'read' | 'write'): Statement {
  let name = names.get(text);
  if (name === undefined) {
    name = `tododb_${names.size + 1}`;
    names.set(text, name);
  }
  return { text, kind, name };
}
