import { describe, expect, it } from 'vitest';
import { expectOracle } from './oracle';
import { terminalsInRam, Terminal, useBackend } from './world';

/**
 * A till that spends a member's chain-wide points (HQ's pulled balance, as
 * core.ts wires the ledger) takes points no local lot holds (lots.take with
 * `elsewhere`): its journal's member account goes below zero while its lots
 * hold nothing. The chain check must count those points as spent elsewhere,
 * or it reports `lot_mismatch` and, at the next start, the integrity gate
 * suspends every loyalty write on that till.
 */
terminalsInRam();

describe('a redemption of points earned at another store, HQ on pglite', () => {
  const { world, terminal, keep } = useBackend('pglite', null);

  it('the till that spent them passes its own chain check and keeps selling after a restart', async () => {
    const hq = await world();
    const a = await terminal(hq, { terminalId: 'earns-a', storeId: 'paris-11', seed: 201 });
    const b = keep(new Terminal(hq, { terminalId: 'spends-b', storeId: 'lyon-2', seed: 202, chainView: true }));
    b.h.clock.value += 7;
    await b.enrol();
    const claire = a.members.claire.id;
    a.sell(claire, 120_000); // 1,000 points at A
    b.sell(claire, 1_200); // 10 at B: Claire is B's member too, B pulls her chain-wide balance
    await a.drain();
    await b.drain();
    expect(b.h.ledger.points(claire).balance).toBe(1_010);

    const held = await b.redeem(claire, 4_000, 800);
    expect(held.mode).toBe('online');
    await b.drain();

    const problems = b.h.ledger.verifyChain().problems.map((p) => `${p.kind}: ${p.detail}`);
    expect(problems).toEqual([]);
    const restarted = await b.h.ledger.start();
    expect(restarted.ok).toBe(true);
    expect(() => b.sell(claire, 1_200)).not.toThrow();
    await b.drain();
    await a.pullUntilOk();
    await expectOracle({ hq: hq.ctx, terminals: [a, b] }, 'chain-wide redemption');
  }, 60_000);
});
