import { describe, expect, it } from 'vitest';
import type { ChainedEntry } from '../../src/main/core/ledger/chain';
import type { OutboxBatch } from '../../src/main/core/ledger/outbox';
import { fitBatch } from '../../src/main/core/sync/batcher';

/** An outbox batch whose groups have the given sizes, from seq 1. */
function outbox(groupSizes: number[]): OutboxBatch {
  const entries: ChainedEntry[] = [];
  groupSizes.forEach((size, g) => {
    for (let i = 0; i < size; i++) entries.push({ seq: entries.length + 1, group_id: `g${g}` } as ChainedEntry);
  });
  return { terminalId: 't', epoch: 1, fromSeq: 1, toSeq: entries.length, prevHash: 'p', entries };
}

describe('fitBatch', () => {
  it('leaves a batch within the limit as it is', () => {
    const b = outbox([2, 3, 1]);
    expect(fitBatch(b, 6)).toBe(b);
  });

  it('cuts an over-long batch at the last group boundary within the limit, never inside a group', () => {
    const fitted = fitBatch(outbox([2, 3, 3]), 6);
    expect(fitted.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(fitted).toMatchObject({ fromSeq: 1, toSeq: 5, prevHash: 'p' });
  });

  it('cuts exactly at the limit when a group ends there', () => {
    expect(fitBatch(outbox([3, 3, 2]), 6).toSeq).toBe(6);
  });

  it('leaves a single group larger than the limit whole, for the batch builder to report', () => {
    const b = outbox([8]);
    expect(fitBatch(b, 6)).toBe(b);
  });
});
