import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isUuid, uuidv7 } from '../src/ids/uuidv7.js';

// RFC 9562: version nibble 7, variant bits 10.
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function timestampOf(id: string): number {
  return Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

/** A copy of the module with its own clock state, so a faked clock cannot leak into other tests. */
async function freshUuidv7(): Promise<() => string> {
  vi.resetModules();
  return (await import('../src/ids/uuidv7.js')).uuidv7;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('uuidv7', () => {
  it('has the RFC 9562 version 7 layout', () => {
    for (let n = 0; n < 1000; n += 1) {
      expect(uuidv7()).toMatch(UUID_V7);
    }
  });

  it('carries the current Unix time in milliseconds', () => {
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    expect(timestampOf(id)).toBeGreaterThanOrEqual(before);
    expect(timestampOf(id)).toBeLessThanOrEqual(after + 2);
  });

  it('gives 10,000 strictly increasing ids in a tight loop', () => {
    const ids = Array.from({ length: 10_000 }, () => uuidv7());
    for (let n = 1; n < ids.length; n += 1) {
      if (!(ids[n - 1]! < ids[n]!)) {
        expect.fail(`id ${n} (${ids[n]}) is not greater than id ${n - 1} (${ids[n - 1]})`);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps its random part random', () => {
    const tails = new Set(Array.from({ length: 1000 }, () => uuidv7().slice(-12)));
    expect(tails.size).toBe(1000);
  });

  it('still increases when the clock stands still past the 4096 ids a millisecond can count', async () => {
    const generate = await freshUuidv7();
    const frozen = Date.UTC(2030, 0, 1);
    vi.spyOn(Date, 'now').mockReturnValue(frozen);
    const ids = Array.from({ length: 5000 }, () => generate());
    for (let n = 1; n < ids.length; n += 1) {
      expect(ids[n - 1]! < ids[n]!).toBe(true);
    }
    expect(timestampOf(ids[0]!)).toBe(frozen);
    // Borrowing the next millisecond, never more than needed.
    expect(timestampOf(ids[ids.length - 1]!)).toBe(frozen + 1);
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
  });

  it('still increases when the clock steps back', async () => {
    const generate = await freshUuidv7();
    const now = vi.spyOn(Date, 'now').mockReturnValue(Date.UTC(2030, 0, 1, 0, 0, 1));
    const before = generate();
    now.mockReturnValue(Date.UTC(2030, 0, 1, 0, 0, 0));
    const after = generate();
    expect(after > before).toBe(true);
  });
});

describe('isUuid', () => {
  it.each([
    ['a UUIDv7', uuidv7()],
    ['a UUIDv4', randomUUID()],
    ['upper case', uuidv7().toUpperCase()],
    ['the nil UUID', '00000000-0000-0000-0000-000000000000'],
  ])('accepts %s', (_name, value) => {
    expect(isUuid(value)).toBe(true);
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an empty string', ''],
    ['no dashes', uuidv7().replace(/-/g, '')],
    ['braces', `{${uuidv7()}}`],
    ['a trailing newline', `${uuidv7()}\n`],
    ['a leading space', ` ${uuidv7()}`],
    ['a non-hex digit', 'g0000000-0000-7000-8000-000000000000'],
    ['one digit short', '0000000-0000-7000-8000-000000000000'],
    ['a misplaced dash', '00000000-00007-000-8000-000000000000'],
    ['an SQL injection attempt', "00000000-0000-7000-8000-000000000000' OR '1'='1"],
  ])('rejects %s', (_name, value) => {
    expect(isUuid(value)).toBe(false);
  });
});
