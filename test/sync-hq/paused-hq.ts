import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnrolCode } from '../../src/hq/enrolment';
import { openHq } from '../../src/hq/server';
import { silentLogger } from '../../src/main/core/ports';
import { HqFaultProxy, type ProxyMode } from '../fakes/hq-fault-proxy';
import { freePort } from '../fakes/postgres-cluster';
import { basket, openTillHarness, type Reply, type TillHarness } from '../integration/till-api-harness';
import { bundleChildren, KillChild, type ChildScripts } from '../sync-faults/kill-children';

/**
 * A terminal serving the till API, enrolled with HQ running as its own
 * process (kill-hq-child.ts) behind a TCP proxy, with points to redeem and
 * HQ's signed offline allowance: HQ can be paused (SIGSTOP) and resumed, or
 * the proxy told to hang or drop connections. For the till-answer test and
 * the sync benchmark.
 */
export interface PausableHq {
  h: TillHarness;
  pause(): void;
  resume(): void;
  fault(mode: ProxyMode): void;
  /** HQ serving and heard: the ledger online again. */
  online(): Promise<void>;
  close(): Promise<void>;
}

export async function openPausableHq(): Promise<PausableHq> {
  const dir = mkdtempSync(join(tmpdir(), 'fidele-paused-hq-'));
  const scripts: ChildScripts = await bundleChildren();
  const port = await freePort();
  const proxy = await HqFaultProxy.start(() => port);
  const h = await openTillHarness({ hqUrl: proxy.url });
  // HQ's clock is the real one in its process: the terminal's is set to it so HQ takes its requests as fresh.
  h.clock.value = Date.now();
  const hqDir = join(dir, 'hq');
  const ctx = await openHq({ dataDir: hqDir, logger: silentLogger });
  const { code } = await createEnrolCode(ctx, 'paris-11', h.core.sync.view().terminalId);
  await ctx.sql.close();
  const hq = new KillChild('hq', scripts.hq, { dataDir: hqDir, port, maintenanceMs: 0 });
  await hq.waitFor('SERVING', 60_000);
  const enrolled = await h.core.dispatch('cashier', 'sync.enrol', { code, storeId: 'paris-11' });
  if (!enrolled.ok) throw new Error(`enrolment refused: ${JSON.stringify(enrolled.error)}`);
  let paused = false;
  const signal = (name: 'SIGSTOP' | 'SIGCONT') => {
    if (!hq.pid) throw new Error('HQ has no process');
    process.kill(hq.pid, name);
    paused = name === 'SIGSTOP';
  };

  const t: PausableHq = {
    h,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    fault: (mode) => proxy.set(mode),
    async online() {
      if (paused) signal('SIGCONT');
      proxy.set('forward');
      // The connections the fault cut may still be in fetch's pool: a request or two fails on them first.
      for (let attempt = 0; attempt < 3 && (attempt === 0 || h.core.ledger.connectivity().offline); attempt++) {
        const synced = await h.core.dispatch('cashier', 'sync.now', {});
        if (!synced.ok) throw new Error(`sync.now: ${JSON.stringify(synced.error)}`);
      }
      if (h.core.ledger.connectivity().offline) throw new Error(`HQ not heard again: ${JSON.stringify(h.logs.slice(-6))}`);
    },
    async close() {
      if (paused) signal('SIGCONT');
      await h.close();
      await proxy.close();
      await hq.kill();
      scripts.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // Points to redeem, known to HQ, and HQ's signed offline allowance on the terminal.
  for (const receipt of ['E-1', 'E-2', 'E-3', 'E-4']) {
    const sold = await h.call('POST', '/v1/sales', { body: basket(h.known.claire.id, receipt, { cents: [20_000] }) });
    if (sold.status !== 200) throw new Error(`sale ${receipt}: ${sold.text}`);
  }
  await t.online();
  return t;
}

export async function timed(call: () => Promise<Reply>): Promise<{ reply: Reply; ms: number }> {
  const started = performance.now();
  const reply = await call();
  return { reply, ms: performance.now() - started };
}
