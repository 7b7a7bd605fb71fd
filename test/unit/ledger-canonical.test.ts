import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CanonicalEncodingError, canonicalJson } from '../../src/main/core/ledger/canonical';
import { canonicalEntry, entryHash, GENESIS_SEED, PROVISIONAL_GENESIS, type ENTRY_FIELDS_V1, type Entry } from '../../src/main/core/ledger/chain';
import { expiryEntryId } from '../../src/main/core/ledger/expiry';

describe('canonical JSON', () => {
  it('sorts keys by code unit, writes no whitespace and integers as digits', () => {
    expect(canonicalJson({ b: 1, a: [true, null, -3, 'x'], B: { z: 0, y: -0 } })).toBe('{"B":{"y":0,"z":0},"a":[true,null,-3,"x"],"b":1}');
  });

  it('keeps non-ASCII text as UTF-8 and escapes only quotes, backslashes and control characters', () => {
    expect(canonicalJson({ s: 'Crème "brûlée" \\ \n\t\u0001 €' })).toBe('{"s":"Crème \\"brûlée\\" \\\\ \\n\\t\\u0001 €"}');
  });

  it.each([
    ['a float', { n: 1.5 }],
    ['an unsafe integer', { n: 2 ** 53 }],
    ['NaN', { n: Number.NaN }],
    ['a string not in NFC', { s: 'Cre\u0300me' }],
    ['a lone surrogate', { s: '\ud800' }],
    ['undefined', { u: undefined }],
    ['a non-ASCII key', { é: 1 }],
    ['a BigInt', { n: 1n }],
    ['a Date', { d: new Date(0) }],
  ])('refuses %s', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(CanonicalEncodingError);
  });
});

/** A fixed entry: its hash below was computed once and must never change. */
const VECTOR: Entry = {
  terminal_id: 'paris-11-t1',
  epoch: 1,
  seq: 42,
  entry_id: '019a9f00-0000-7000-8000-000000000042',
  group_id: '019a9f00-0000-7000-8000-000000000041',
  kind: 'earn',
  schema_version: 1,
  rules_version: 'fr-2026.1',
  member_id: '018e3c67-8100-7d87-bbd2-41f0d72c67b9',
  till_id: 'caisse-2',
  receipt: 'T2-000123',
  wall_time: 1794992400000,
  mono_time: 123456,
  mono_boot: '019a9e00-0000-7000-8000-0000000000b0',
  offline: false,
  postings: [
    { account: 'program:issuance', delta: -30 },
    { account: 'member:018e3c67-8100-7d87-bbd2-41f0d72c67b9:points', delta: 30 },
  ],
  detail: { sale_id: '019a9f00-0000-7000-8000-000000000041', points: 30, promotions: ['mardi-double'], label: 'Crème brûlée', lot_expires_on: '2027-11-18' },
};
const VECTOR_PREV = 'a3f1c2d4e5b6978812345678909abcdefa3f1c2d4e5b6978812345678909abcd';

describe('entry hash, schema version 1', () => {
  it('matches the published test vector', () => {
    expect(canonicalEntry(VECTOR)).toBe(
      '{"detail":{"label":"Crème brûlée","lot_expires_on":"2027-11-18","points":30,"promotions":["mardi-double"],"sale_id":"019a9f00-0000-7000-8000-000000000041"},' +
        '"entry_id":"019a9f00-0000-7000-8000-000000000042","epoch":1,"group_id":"019a9f00-0000-7000-8000-000000000041","kind":"earn",' +
        '"member_id":"018e3c67-8100-7d87-bbd2-41f0d72c67b9","mono_boot":"019a9e00-0000-7000-8000-0000000000b0","mono_time":123456,"offline":false,' +
        '"postings":[{"account":"program:issuance","delta":-30},{"account":"member:018e3c67-8100-7d87-bbd2-41f0d72c67b9:points","delta":30}],' +
        '"receipt":"T2-000123","rules_version":"fr-2026.1","schema_version":1,"seq":42,"terminal_id":"paris-11-t1","till_id":"caisse-2","wall_time":1794992400000}',
    );
    expect(entryHash(VECTOR, VECTOR_PREV)).toBe('7393c8a7dc75c5077eb772f76328cd1bfecc939d6dabffae8219a55ff2b36da7');
  });

  it('is SHA-256 over the tag, the canonical entry and the previous hash', () => {
    const expected = createHash('sha256').update(`fidele/ledger-entry/v1\n${canonicalEntry(VECTOR)}\n${VECTOR_PREV}`, 'utf8').digest('hex');
    expect(entryHash(VECTOR, VECTOR_PREV)).toBe(expected);
  });

  it('covers every field and the previous hash', () => {
    const base = entryHash(VECTOR, VECTOR_PREV);
    const changed: Record<(typeof ENTRY_FIELDS_V1)[number], Partial<Entry>> = {
      detail: { detail: { ...VECTOR.detail, points: 31 } },
      entry_id: { entry_id: VECTOR.entry_id.replace(/2$/, '3') },
      epoch: { epoch: 2 },
      group_id: { group_id: VECTOR.entry_id },
      kind: { kind: 'adjust' },
      member_id: { member_id: null },
      mono_boot: { mono_boot: 'x' },
      mono_time: { mono_time: 123457 },
      offline: { offline: true },
      postings: { postings: [{ account: 'program:issuance', delta: -31 }, { account: VECTOR.postings[1]!.account, delta: 31 }] },
      receipt: { receipt: 'T2-000124' },
      rules_version: { rules_version: 'fr-2026.2' },
      schema_version: {},
      seq: { seq: 43 },
      terminal_id: { terminal_id: 'paris-11-t2' },
      till_id: { till_id: null },
      wall_time: { wall_time: VECTOR.wall_time + 1 },
    };
    for (const [field, patch] of Object.entries(changed)) {
      if (field === 'schema_version') continue;
      expect(entryHash({ ...VECTOR, ...patch }, VECTOR_PREV), field).not.toBe(base);
    }
    expect(entryHash(VECTOR, PROVISIONAL_GENESIS)).not.toBe(base);
  });

  it('refuses a schema version it does not know rather than guessing', () => {
    expect(() => entryHash({ ...VECTOR, schema_version: 2 }, VECTOR_PREV)).toThrow(/schema_version 2/);
  });

  it('chains the first entry of a stream to the provisional genesis, SHA-256 of its seed', () => {
    expect(PROVISIONAL_GENESIS).toBe(createHash('sha256').update(GENESIS_SEED).digest('hex'));
  });
});

describe('expiry entry ids', () => {
  it('are derived from the lot and the date, as UUIDv8', () => {
    const id = expiryEntryId('019a9f00-0000-7000-8000-000000000042', '2027-11-18');
    expect(id).toBe(expiryEntryId('019a9f00-0000-7000-8000-000000000042', '2027-11-18'));
    expect(id).not.toBe(expiryEntryId('019a9f00-0000-7000-8000-000000000042', '2027-11-19'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
