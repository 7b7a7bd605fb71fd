import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgres } from '../../src/hq/db';
import { createEnrolCode } from '../../src/hq/enrolment';
import { ephemeralHqKey } from '../../src/hq/keys';
import { startHq, type Hq, type HqOptions } from '../../src/hq/server';
import type { Timers } from '../../src/main/core/devices/reconnect';
import type { LedgerPolicy } from '../../src/main/core/ledger/context';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, type Logger } from '../../src/main/core/ports';
import type { HeldSale, Holds } from '../../src/main/core/sync/holds';
import { chainPositions } from '../../src/main/core/sync/pull';
import { createSync, type Sync, type SyncStatus } from '../../src/main/core/sync/sync-service';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../fakes/postgres-cluster';
import { line, openHarness, sale, WEDNESDAY_10H, type Harness } from '../integration/ledger-fixture';
import { createFaultNet, type FaultNet, type FaultWeights } from './fault-net';

/**
 * The world a fault scenario runs in: the real HQ (PGlite in memory, or a
 * fresh database on a throwaway PostgreSQL cluster) and terminals running the
 * real ledger and sync client, each behind its own fault network.
 */
export interface Backend {
  name: 'pglite' | 'postgres';
  /** A fresh, migrated or empty database for one HQ whose data folder is `dataDir`: its URL, or undefined for PGlite in that folder. */
  newDatabase(dataDir: string): Promise<string | undefined>;
  stop(): void;
}

/**
 * PGlite in each HQ's data folder, copied from one migrated template: creating
 * a PGlite database (initdb in WebAssembly) costs seconds, opening a copy does not.
 */
export function pgliteBackend(): Backend {
  let template: string | null = null;
  return {
    name: 'pglite',
    async newDatabase(dataDir) {
      if (template === null) {
        const dir = mkdtempSync(join(tmpdir(), 'fidele-faults-pglite-'));
        const hq = await startHq({ dataDir: dir, port: 0, logger: quietLogger([]), key: ephemeralHqKey(), maintenanceIntervalMs: 0 });
        await hq.close();
        template = dir;
      }
      cpSync(join(template, 'pglite'), join(dataDir, 'pglite'), { recursive: true });
      return undefined;
    },
    stop() {
      if (template !== null) rmSync(template, { recursive: true, force: true });
    },
  };
}

export async function postgresBackend(): Promise<Backend> {
  const cluster: PostgresCluster = await startPostgresCluster('fidele-faults-pg-');
  let n = 0;
  return {
    name: 'postgres',
    async newDatabase() {
      const name = `faults_${++n}`;
      const admin = await openPostgres(cluster.url('postgres'));
      try {
        await admin.exec(`CREATE DATABASE ${name}`);
      } finally {
        await admin.close();
      }
      return cluster.url(name);
    },
    stop: () => cluster.stop(),
  };
}

/** Why the PostgreSQL half cannot run here, or null. In CI a missing server is a failure, not a skip. */
export function postgresMissing(): string | null {
  return postgresUnavailable();
}

export interface WorldHq extends Hq {
  clock: { value: number };
  stop(): Promise<void>;
}

export async function startWorldHq(backend: Backend, options: Partial<HqOptions> = {}): Promise<WorldHq> {
  const dir = mkdtempSync(join(tmpdir(), 'fidele-faults-hq-'));
  const clock = { value: WEDNESDAY_10H };
  const databaseUrl = await backend.newDatabase(dir);
  const hq = await startHq({
    dataDir: dir,
    databaseUrl,
    port: 0,
    clock: { now: () => clock.value },
    random: seededRandom(4242),
    logger: quietLogger([]),
    key: ephemeralHqKey(),
    maintenanceIntervalMs: 0,
    ...options,
  });
  return {
    ...hq,
    clock,
    async stop() {
      await hq.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function quietLogger(into: Array<{ level: string; message: string; fields?: Record<string, unknown> }>): Logger {
  return {
    info: () => {},
    warn: (message, fields) => into.push({ level: 'warn', message, fields }),
    error: (message, fields) => into.push({ level: 'error', message, fields }),
  };
}

/**
 * Only the transport's own timeout runs for real (it is the only timer set
 * for exactly `timeoutMs`); push retries, idle looks and pull timers never
 * fire, so the scenario drives every exchange with syncNow and nothing races
 * its assertions.
 */
function transportTimeoutsOnly(timeoutMs: number): Timers {
  return {
    setTimeout: (fn, ms) => (ms === timeoutMs ? setTimeout(fn, ms) : null),
    clearTimeout: (handle) => {
      if (handle !== null) clearTimeout(handle as ReturnType<typeof setTimeout>);
    },
  };
}

export interface TerminalOptions {
  terminalId: string;
  storeId: string;
  seed: number;
  weights?: FaultWeights;
  maxEntries?: number;
  timeoutMs?: number;
  policy?: Partial<LedgerPolicy>;
  /** Spend on HQ's chain-wide balances as pulled, as the app does (core.ts); off, the ledger spends what its own journal earned. */
  chainView?: boolean;
}

export class Terminal {
  readonly h: Harness;
  readonly net: FaultNet;
  readonly sync: Sync;
  readonly logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  readonly terminalId: string;
  private receipts = 0;

  constructor(
    readonly hq: WorldHq,
    readonly o: TerminalOptions,
  ) {
    this.terminalId = o.terminalId;
    this.h = openHarness({ terminalId: o.terminalId, policy: o.policy, chain: o.chainView ? chainPositions : undefined });
    this.net = createFaultNet(hq.url, o.seed, o.weights ?? {});
    const timeoutMs = o.timeoutMs ?? 20_000;
    this.sync = createSync({
      db: this.h.db,
      ledger: this.h.ledger,
      members: new MemberStore(this.h.db),
      clock: { now: () => this.h.clock.value },
      random: seededRandom(o.seed + 1),
      logger: quietLogger(this.logs),
      fetch: this.net.fetch,
      timers: transportTimeoutsOnly(timeoutMs),
      hqUrl: `${hq.url}/`,
      timeoutMs,
      maxEntries: o.maxEntries,
      backoff: { baseMs: 1e9, capMs: 1e9 },
      idleMs: 1e9,
      pullEveryMs: 1e9,
    });
  }

  get db() {
    return this.h.db;
  }

  get members() {
    return this.h.members;
  }

  /** Enrols over a clean network, then starts the loops (whose timers never fire). */
  async enrol(): Promise<void> {
    const code = (await createEnrolCode(this.hq.ctx, this.o.storeId, this.terminalId)).code;
    const weights = this.net.weights;
    this.net.weights = {};
    const outcome = await this.sync.enrol({ code, storeId: this.o.storeId }).finally(() => {
      this.net.weights = weights;
    });
    if (outcome.enrolment?.terminalId !== this.terminalId) throw new Error(`enrolment failed: ${JSON.stringify(outcome)}`);
    this.sync.start();
  }

  /** One sale of `cents` (one line per amount) for a member, optionally spending points; the terminal's clocks move on by `stepMs`. */
  sell(memberId: string, cents: number | readonly number[], redeemPoints = 0, stepMs = 60_000): void {
    this.h.ledger.commit(this.basket(memberId, cents, redeemPoints));
    this.tick(stepMs);
  }

  /** The next receipt's sale input (nothing committed), one line per amount of `cents`. */
  basket(memberId: string, cents: number | readonly number[], redeemPoints = 0) {
    this.receipts += 1;
    const lines = (typeof cents === 'number' ? [cents] : cents).map((c) => line(c));
    return sale(memberId, `${this.terminalId}-R${this.receipts}`, lines, redeemPoints);
  }

  tick(stepMs = 60_000): void {
    this.h.clock.value += stepMs;
    this.h.mono.value += stepMs;
  }

  /** The sync service's online-redemption client (sync/holds.ts), talking to HQ through this terminal's fault network. */
  holds(): Holds {
    const holds = this.sync.holds();
    if (!holds) throw new Error(`${this.terminalId} has no holds client: not enrolled or not started`);
    return holds;
  }

  /** A sale spending points through an HQ hold (or the offline limits when HQ cannot be asked), as a till at payment. */
  async redeem(memberId: string, cents: number, points: number, stepMs = 60_000): Promise<HeldSale> {
    const held = await this.holds().redeemWithHold(this.basket(memberId, cents, points));
    this.tick(stepMs);
    return held;
  }

  memberIds(): string[] {
    const m = this.h.members;
    return [m.claire.id, m.helene.id, m.jeanPierre.id, m.zoe.id];
  }

  /** `count` sales round the known members, amounts varied by the index. */
  sellMany(count: number, stepMs = 60_000): void {
    const ids = this.memberIds();
    for (let i = 0; i < count; i++) this.sell(ids[i % ids.length]!, 900 + ((i * 37) % 40) * 100, 0, stepMs);
  }

  status(): SyncStatus {
    return this.sync.status();
  }

  /**
   * syncNow until HQ acknowledged the whole journal, then one more pull so
   * the HQ balances held here are the final ones; faults may make rounds fail.
   * Returns the rounds it took.
   */
  async drain(maxRounds = 200): Promise<number> {
    for (let round = 1; round <= maxRounds; round++) {
      await this.sync.syncNow();
      const s = this.status();
      if (s.problem) throw new Error(`${this.terminalId} stopped pushing: ${s.problem.code} ${s.problem.message} (seed ${this.o.seed})`);
      if (s.backlog === 0) {
        const pulled = await this.pullUntilOk(maxRounds);
        return round + pulled;
      }
    }
    throw new Error(`${this.terminalId} still has ${this.status().backlog} entries to push after ${maxRounds} rounds (seed ${this.o.seed}): ${JSON.stringify(this.net.counts())}`);
  }

  /** Pulls until one pull is applied (faults may refuse some). */
  async pullUntilOk(maxRounds = 200): Promise<number> {
    for (let round = 1; round <= maxRounds; round++) {
      const outcome = await this.sync.pull();
      if (outcome?.ok) return round;
    }
    throw new Error(`${this.terminalId}: no pull got through in ${maxRounds} rounds (seed ${this.o.seed})`);
  }

  close(): void {
    this.sync.stop();
    this.h.close();
  }
}

/**
 * The backends every fault file runs on. In CI a missing PostgreSQL is a
 * failure (the suite's beforeAll throws); elsewhere that half is skipped and
 * its title says why.
 */
export const BACKENDS: Array<{ name: Backend['name']; skip: string | null }> = [
  { name: 'pglite', skip: null },
  { name: 'postgres', skip: postgresUnavailable() !== null && !process.env.CI ? postgresUnavailable() : null },
];

/** Registers the backend's setup and teardown in the enclosing describe; returns what its tests need. */
export function useBackend(name: Backend['name'], skip: string | null) {
  let backend: Backend | null = null;
  const open: Array<{ close(): void }> = [];
  const hqs: WorldHq[] = [];
  beforeAll(async () => {
    if (skip) return;
    if (name === 'postgres') {
      const missing = postgresUnavailable();
      if (missing) throw new Error(`PostgreSQL is required in CI: ${missing}`);
      backend = await postgresBackend();
    } else {
      backend = pgliteBackend();
    }
  }, 60_000);
  afterAll(async () => {
    for (const t of open) t.close();
    for (const hq of hqs) await hq.stop();
    backend?.stop();
  }, 60_000);
  return {
    async world(): Promise<WorldHq> {
      const hq = await startWorldHq(backend!);
      hqs.push(hq);
      return hq;
    },
    /** Closed after the suite. */
    keep<T extends { close(): void }>(thing: T): T {
      open.push(thing);
      return thing;
    },
    async terminal(hq: WorldHq, o: TerminalOptions): Promise<Terminal> {
      const t = new Terminal(hq, o);
      open.push(t);
      await t.enrol();
      return t;
    },
  };
}

export async function countRows(hq: WorldHq, table: string): Promise<number> {
  return (await hq.ctx.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
}

// The terminals' SQLite files go to RAM when it is there: a long outage pays an fsync per sale on disk.
export function terminalsInRam(): void {
  if (existsSync('/dev/shm')) process.env.TMPDIR = '/dev/shm';
}
