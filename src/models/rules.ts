/**
 * The limits of every user-settable field, in one place: the models' validators, the service
 * layer and the migrations' constraints all read them from here.
 */
export const LIMITS = {
  /** The longest email address, in characters (RFC 5321's path limit less the brackets). */
  emailMaxLength: 254,
  /** The part before the `@`, as RFC 5321 bounds it. */
  emailLocalPartMaxLength: 64,
  /** The longest user name, in characters. */
  nameMaxLength: 255,
  /** The longest task title, in characters, after trimming. */
  titleMaxLength: 255,
  /** The longest task description, in characters. */
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
  const problem = textProblem(email, LIMITS.emailMaxLength);
  if (problem) return problem;
  if (!EMAIL_SHAPE.test(email)) return 'must be an email address';
  // The shape allows exactly one @. Mail servers refuse a longer local part (RFC 5321 4.5.3.1.1).
  if (charLength(email.slice(0, email.indexOf('@'))) > LIMITS.emailLocalPartMaxLength) {
    return `must have at most ${LIMITS.emailLocalPartMaxLength} characters before the @`;
  }
  return undefined;
}

/** Returns why a (trimmed) title is invalid, or undefined. */
export function titleProblem(title: string): string | undefined {
  if (title.length === 0) return 'must not be empty';
  return textProblem(title, LIMITS.titleMaxLength);
}

// Under the u flag a surrogate pair is one code point, so only a lone surrogate is in the
// Surrogate category: the same test as String.prototype.isWellFormed, on every runtime.
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Returns why a text field (name, description; also checked for titles and emails) is
 * invalid, or undefined: too long for its column, or holding a character PostgreSQL would not
 * keep as given. It refuses NUL in text; a lone surrogate has no UTF-8 form, so pg would send
 * U+FFFD in its place and the row would silently hold other text than the caller's.
 */
export function textProblem(value: string, maxLength: number): string | undefined {
  if (charLength(value) > maxLength) return `must be at most ${maxLength} characters`;
  if (value.includes('\0')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (it contains a lone surrogate)';
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
