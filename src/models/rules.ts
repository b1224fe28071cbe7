/**
 * The limits of every user-settable field, in one place: the models' validators, the service
 * layer and the migrations' constraints all read them from here.
 */
export const LIMITS = {
  emailMaxLength: 254,
  nameMaxLength: 255,
  titleMaxLength: 255,
  descriptionMaxLength: 10_000,
  /** Tasks per page of `tasks.list`, when no `limit` is given. */
  pageSizeDefault: 20,
  /** The largest `limit` of `tasks.list`. */
  pageSizeMax: 100,
  /** The longest string that can be a list cursor; anything longer is refused unread. */
  cursorMaxLength: 200,
} as const;

// A pragmatic shape check (one @, no spaces, a dot in the domain), as most services use;
// deliverability is the mail server's to decide.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** Trims and lower-cases an email address, the form it is stored and compared in. */
export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

/** Returns why a (normalized) email is invalid, or undefined when it is fine. */
export function emailProblem(email: string): string | undefined {
  if (email.length === 0) return 'must not be empty';
  if (charLength(email) > LIMITS.emailMaxLength) return `must be at most ${LIMITS.emailMaxLength} characters`;
  if (email.includes('\0')) return 'must not contain NUL characters';
  if (!EMAIL_SHAPE.test(email)) return 'must be an email address';
  return undefined;
}

/** Returns why a (trimmed) title is invalid, or undefined. */
export function titleProblem(title: string): string | undefined {
  if (title.length === 0) return 'must not be empty';
  if (charLength(title) > LIMITS.titleMaxLength) return `must be at most ${LIMITS.titleMaxLength} characters`;
  if (title.includes('\0')) return 'must not contain NUL characters';
  return undefined;
}

/** Returns why a text field (name, description) is invalid, or undefined. */
export function textProblem(value: string, maxLength: number): string | undefined {
  if (charLength(value) > maxLength) return `must be at most ${maxLength} characters`;
  if (value.includes('\0')) return 'must not contain NUL characters';
  return undefined;
}

// PostgreSQL's varchar(n) and char_length() count characters (code points); a JS string's
// length counts UTF-16 units, two per emoji. Counting code points makes the models accept
// exactly what the columns accept: 255 emoji are a valid title.
function charLength(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i += 1) {
    const unit = value.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i += 1;
    }
    count += 1;
  }
  return count;
}
