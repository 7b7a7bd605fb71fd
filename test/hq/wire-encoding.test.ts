import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/main/core/ledger/canonical';
import { canonicalEntry } from '../../src/main/core/ledger/chain';
import { batchDigest, toEntry } from '../../src/hq/ingest';
import { encodeEntries } from '../../src/hq/wire-encoding';
import type { WireEntry } from '../../src/shared/sync/protocol';

function wire(seq: number, detail: Record<string, unknown>, postings: WireEntry['postings']): WireEntry {
  return {
    terminal_id: 't-1',
    epoch: 1,
    seq,
    entry_id: `e-${seq}`,
    group_id: `g-${seq}`,
    kind: 'earn',
    schema_version: 1,
    rules_version: 'r1',
    member_id: seq % 2 ? 'm-1' : null,
    till_id: null,
    receipt: `R${seq}`,
    wall_time: 1_763_456_400_000 + seq,
    mono_time: seq,
    mono_boot: 'boot',
    offline: seq % 3 === 0,
    postings,
    detail,
    prev_hash: 'a'.repeat(64),
    entry_hash: 'b'.repeat(64),
  };
}

describe('encodeEntries', () => {
  const postings = [
    { account: 'member:m-1:points', delta: 12 },
    { account: 'program:issued', delta: -12 },
  ];

  it('gives the bytes canonicalJson and canonicalEntry give, for usual and unusual shapes alike', () => {
    const entries = [
      wire(1, { lot_expires_on: '2027-11-18', lines: [{ b: 1, a: 'é' }] }, postings),
      wire(2, {}, [{ delta: -3, account: 'z' } as WireEntry['postings'][number], { account: 'a', delta: 3 }]),
      // A posting with a field the hash does not cover: stored as sent, hashed without it.
      wire(3, { x: null }, [{ account: 'a', delta: 1, note: 'n' } as unknown as WireEntry['postings'][number], { account: 'b', delta: -1 }]),
      { ...wire(4, {}, postings), extra: true } as unknown as WireEntry,
    ];
    const encoded = encodeEntries(entries);
    expect(encoded.digest).toBe(batchDigest(entries));
    expect(encoded.stored).toEqual(entries.map((e) => canonicalJson(e)));
    entries.forEach((e, i) => {
      if (encoded.hashed[i] !== null) expect(encoded.hashed[i]).toBe(canonicalEntry(toEntry(e)));
    });
    expect(encoded.hashed.map((h) => h !== null)).toEqual([true, true, false, false]);
  });

  it('refuses what canonicalJson refuses, with its message naming the entry', () => {
    const bad = [wire(1, {}, postings), wire(2, { amount: 1.5 }, postings)];
    let expected = '';
    try {
      canonicalJson(bad);
    } catch (error) {
      expected = (error as Error).message;
    }
    expect(expected).toMatch(/\[1\]\.detail\.amount/);
    expect(() => encodeEntries(bad)).toThrow(expected);
  });
});
