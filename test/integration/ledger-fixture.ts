import { expect } from 'vitest';
import { AppFailure, type ErrorCode } from '../../src/shared/contract';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/main/core/db/database';
import type { ChainPositions } from '../../src/main/core/ledger/chain-view';
import type { LedgerPolicy } from '../../src/main/core/ledger/context';
import { createLedger, type Ledger } from '../../src/main/core/ledger/ledger';
import { DEFAULT_PROGRAM } from '../../src/main/core/ledger/program.default';
import type { ProgramRules } from '../../src/main/core/ledger/rules';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, type Logger } from '../../src/main/core/ports';
import { insertKnownMembers, type KnownMembers } from '../fakes/known-members';

/** A Wednesday, 10:00 in Paris: no promotion running. */
export const WEDNESDAY_10H = Date.UTC(2026, 10, 18, 9, 0);

export interface Harness {
  dir: string;
  path: string;
  db: Db;
  ledger: Ledger;
  members: KnownMembers;
  clock: { value: number };
  mono: { value: number };
  logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }>;
  /** Every ledger table, as text: equal snapshots mean nothing was written. */
  snapshot(): string;
  reopen(options?: HarnessOptions): void;
  close(): void;
}

export interface HarnessOptions {
  rules?: Partial<ProgramRules>;
  policy?: Partial<LedgerPolicy>;
  terminalId?: string;
  /** HQ's chain-wide positions, as core.ts passes them (`chainPositions(db)`), read from the harness's database. */
  chain?: (db: Db) => ChainPositions;
  /** The programme version in force at each sale's time, as core.ts passes it (`programmeRulesAt(db)`). */
  rulesAt?: (db: Db) => (at: number) => ProgramRules | null;
  expiresLocally?: () => boolean;
  /**
   * The random seed of the first run. By default it depends on the terminal
   * id, so two terminals of one test draw different entry ids, as real ones do.
   */
  seed?: number;
}

/** A seed per terminal id: 7 for the default terminal, as the ledger tests' fixed values expect. */
function seedOf(terminalId: string | undefined): number {
  if (terminalId === undefined || terminalId === 'test-t1') return 7;
  let h = 7;
  for (const c of terminalId) h = (h * 31 + c.charCodeAt(0)) % 1_000_003;
  return h;
}

export const LEDGER_TABLES = [
  'ledger_stream',
  'ledger_entry',
  'ledger_posting',
  'ledger_balance',
  'ledger_lot',
  'ledger_sale',
  'ledger_refund',
  'ledger_adjustment',
  'ledger_sync_ack',
  'ledger_state',
];

export function openHarness(options: HarnessOptions = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'fidele-ledger-'));
  const path = join(dir, 'terminal.sqlite');
  const clock = { value: WEDNESDAY_10H };
  const mono = { value: 1_000 };
  const logs: Harness['logs'] = [];
  const logger: Logger = {
    info: (message, fields) => logs.push({ level: 'info', message, fields }),
    warn: (message, fields) => logs.push({ level: 'warn', message, fields }),
    error: (message, fields) => logs.push({ level: 'error', message, fields }),
  };
  const db = openDatabase(path);
  const members = insertKnownMembers(new MemberStore(db));
  let runs = 0;
  const build = (o: HarnessOptions) =>
    createLedger({
      db: h.db,
      clock: { now: () => clock.value },
      // Each run of the process draws different random bytes, as the real one does.
      random: seededRandom((o.seed ?? seedOf(o.terminalId)) + runs++),
      monotonic: { now: () => mono.value },
      terminalId: o.terminalId ?? 'test-t1',
      logger,
      rules: { ...DEFAULT_PROGRAM, ...o.rules },
      policy: o.policy,
      chain: o.chain?.(h.db),
      rulesAt: o.rulesAt?.(h.db),
      expiresLocally: o.expiresLocally,
    });
  const h: Harness = {
    dir,
    path,
    db,
    ledger: undefined as unknown as Ledger,
    members,
    clock,
    mono,
    logs,
    snapshot: () =>
      JSON.stringify([...LEDGER_TABLES, 'member'].map((t) => [t, h.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()])),
    reopen(o = options) {
      h.db.close();
      h.db = openDatabase(path);
      h.ledger = build(o);
    },
    close() {
      if (h.db.open) h.db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  h.ledger = build(options);
  return h;
}

let lineCounter = 0;

/** A basket line; defaults: one unit of groceries at 20 % VAT. */
export function line(unitPriceCents: number, overrides: Record<string, unknown> = {}) {
  lineCounter += 1;
  return {
    lineId: `L${lineCounter}`,
    sku: `SKU-${lineCounter}`,
    label: 'Article',
    category: 'epicerie',
    quantity: 1,
    unitPriceCents,
    discountCents: 0,
    taxRateBp: 2000,
    rewardId: null,
    ...overrides,
  };
}

type Line = ReturnType<typeof line>;

export function netOf(lines: Line[]): number {
  return lines.reduce((sum, l) => sum + (l.quantity as number) * (l.unitPriceCents as number) - (l.discountCents as number), 0);
}

/** A sale paid by card for exactly what it costs after the points discount. */
export function sale(memberId: string, receipt: string, lines: Line[], redeemPoints = 0, centsPerPoint = 5) {
  const due = netOf(lines) - redeemPoints * centsPerPoint;
  return {
    tillId: 'till-1',
    receipt,
    memberId,
    lines,
    payments: due > 0 ? [{ method: 'card', amountCents: due }] : [],
    redeemPoints,
  };
}

/** Runs `fn`, expecting the ledger to refuse it with `code`; returns the failure for further checks. */
export function refusal(fn: () => unknown, code: ErrorCode): AppFailure {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppFailure);
    expect((error as AppFailure).code).toBe(code);
    return error as AppFailure;
  }
  throw new Error(`expected a ${code} refusal`);
}

/** Awaits `promise`, expecting it to reject with an AppFailure; returns it for the caller to check its code. */
export async function rejection(promise: Promise<unknown>): Promise<AppFailure> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppFailure);
    return error as AppFailure;
  }
  throw new Error('expected a refusal');
}
