/**
 * Relationship health at the till (docs/relationship.md) in a big store:
 * 200,000 members and 1,000,000 incidents spread over them, a third of them
 * from other stores (as HQ's pull leaves them), the rest this terminal's.
 * - lookup: a member by card through the dispatch a window calls
 *   (`member.identify`), then their health (`member.relationship`: facts
 *   folded, tolerance, reason line, open incidents, budget), against the same
 *   identify alone, taking turns block by block over the same cards;
 * - record: an incident recorded through `incident.record`, committed (one
 *   fsync'd transaction with its journal entry).
 * The incidents are written straight into the tables that hold them (the
 * till's projection and facts, the pulled items), not journaled one by one;
 * their triggers mark every member stale and the terminal's start builds
 * each member's summary (docs/relationship.md), as after an upgrade: `start_s`
 * is that start. The record path is timed through the real journal. Options: --members N (default 200000), --incidents N (default
 * 1000000), --seed S.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCore } from '../src/main/core/core';
import { openDatabase, type Db } from '../src/main/core/db/database';
import { MemberStore } from '../src/main/core/members/member-store';
import { seededRandom, silentLogger, systemClock } from '../src/main/core/ports';
import { seedDemoMembers } from '../src/main/core/seed/demo-members';
import { INCIDENT_KINDS, INCIDENT_OUTCOMES } from '../src/shared/domain/relationship-health';
import { relationshipKey, type IncidentFactWire } from '../src/shared/sync/relationship-item';
import { testConfig } from '../test/fakes/known-members';
import { fmt, round, summarise } from './stats';

const TARGETS = { lookupP99Ms: 1, lookupVsPlainRatio: 1.5, recordP99Ms: 5 };
const LOOKUP_SAMPLES = 20_000;
const RECORD_SAMPLES = 2_000;
const WARM_UP = 2_000;
const BLOCK = 1_000;
const DAY_MS = 86_400_000;

/** Writes `count` incidents over the members: open or resolved, any kind, over the last 18 months. */
function seedIncidents(db: Db, count: number, seed: number, now: number): { local: number; chain: number } {
  const random = seededRandom(seed);
  const words = new Uint32Array(random.bytes(4 * 1_000_000).buffer as ArrayBuffer);
  let w = 0;
  const next = (n: number) => words[w++ % words.length]! % n;
  const members = db.prepare('SELECT id FROM member ORDER BY id').pluck().all() as string[];
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  const incidentId = (i: number) => `0190${hex(i >>> 16, 4)}-${hex(i & 0xffff, 4)}-7000-8000-${hex(i, 12)}`;
  const insertIncident = db.prepare(
    `INSERT INTO incident (incident_id, member_id, kind, severity, channel, till_id, receipt, recorded_by, opened_at, status, outcome, resolved_at)
     VALUES (?, ?, ?, ?, 'till', NULL, NULL, 'bench', ?, ?, ?, ?)`,
  );
  const insertFact = db.prepare('INSERT INTO incident_fact (member_id, entry_id, fact) VALUES (?, ?, ?)');
  const putItem = db.prepare("INSERT INTO sync_bucket_item (bucket, key, value) VALUES ('store', ?, ?) ON CONFLICT (bucket, key) DO UPDATE SET value = excluded.value");
  const chainFacts = new Map<string, IncidentFactWire[]>();
  let local = 0;
  let chain = 0;
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      // Every member gets one in turn, then at random: 5 on average, some many more.
      const memberId = i < members.length ? members[i]! : members[next(members.length)]!;
      const id = incidentId(i);
      const kind = INCIDENT_KINDS[next(INCIDENT_KINDS.length)]!;
      const severity = 1 + next(5);
      const openedAt = now - (1 + next(540)) * DAY_MS;
      // Most incidents end resolved, mostly well; a few stay open.
      const resolved = next(10) < 8;
      const outcome = resolved ? INCIDENT_OUTCOMES[next(10) < 7 ? 0 : 1 + next(3)]! : null;
      const resolvedAt = resolved ? Math.min(now, openedAt + next(5) * DAY_MS) : null;
      const facts: IncidentFactWire[] = [{ entryId: `${id}-o`, incidentId: id, type: 'open', at: openedAt, terminalId: 'bench-t1', kind, severity, channel: 'till', tillId: null, receipt: null }];
      if (outcome !== null) facts.push({ entryId: `${id}-r`, incidentId: id, type: 'resolve', at: resolvedAt!, terminalId: 'bench-t1', outcome });
      if (next(3) === 0) {
        const list = chainFacts.get(memberId) ?? [];
        list.push(...facts.map((f) => ({ ...f, terminalId: 'lyon-t1' })));
        chainFacts.set(memberId, list);
        chain++;
      } else {
        insertIncident.run(id, memberId, kind, severity, openedAt, outcome === null ? 'open' : 'resolved', outcome, resolvedAt);
        for (const f of facts) insertFact.run(memberId, f.entryId, JSON.stringify(f));
        local++;
      }
    }
    for (const [memberId, facts] of chainFacts) putItem.run(relationshipKey(memberId), JSON.stringify({ memberId, visits12m: next(30), facts }));
  })();
  return { local, chain };
}

export async function runRelationshipBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { members: { type: 'string', default: '200000' }, incidents: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '20261207' } },
    strict: true,
  });
  const count = Number(values.members);
  const incidents = Number(values.incidents);
  const seed = Number(values.seed);
  if (!Number.isInteger(count) || count < 1 || count > 999_999) throw new Error(`--members must be 1..999999, not ${values.members}`);
  if (!Number.isInteger(incidents) || incidents < 0 || incidents > 20_000_000) throw new Error(`--incidents must be 0..20000000, not ${values.incidents}`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, not ${values.seed}`);

  const dir = mkdtempSync(join(tmpdir(), 'fidele-bench-relationship-'));
  const dbPath = join(dir, 'terminal.sqlite');
  try {
    const seedStart = process.hrtime.bigint();
    const seedDb = openDatabase(dbPath);
    const now = systemClock.now();
    const seeded = seedDemoMembers(new MemberStore(seedDb), { count, seed, now });
    const split = seedIncidents(seedDb, incidents, seed, now);
    seedDb.close();
    const seedS = Number(process.hrtime.bigint() - seedStart) / 1e9;
    console.log(`seeded ${seeded} members and ${incidents} incidents (${split.local} here, ${split.chain} from other stores) in ${seedS.toFixed(1)} s`);

    const core = createCore({ dbPath, config: testConfig(), shell: 'browser', clock: systemClock, random: seededRandom(seed), logger: silentLogger });
    const startedAt = process.hrtime.bigint();
    const verified = await core.ledger.start();
    if (!verified.ok) throw new Error('the journal did not verify');
    const startS = Number(process.hrtime.bigint() - startedAt) / 1e9;
    console.log(`start (journal verified, every member's relationship summary built) in ${startS.toFixed(1)} s`);
    core.bus.subscribe(() => undefined);
    const cards = (core.db.prepare('SELECT card_number FROM member_card').pluck().all() as string[]).sort();
    const random = seededRandom(seed + 1);
    const picks = new Uint32Array(random.bytes(4 * (WARM_UP + LOOKUP_SAMPLES)).buffer as ArrayBuffer);
    const lookups = Array.from(picks, (n) => cards[n % cards.length]!);

    const withNs: number[] = [];
    const plainNs: number[] = [];
    const states: Record<string, number> = { ok: 0, fragile: 0, at_risk: 0 };
    const identify = async (code: string) => {
      const result = await core.dispatch('cashier', 'member.identify', { code, source: 'keyboard' });
      if (!result.ok || (result.value as { kind: string }).kind !== 'member') throw new Error(`card ${code} not found`);
      return (result.value as { member: { id: string } }).member.id;
    };
    const timeWith = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const t = process.hrtime.bigint();
        const memberId = await identify(lookups[i]!);
        const health = await core.dispatch('cashier', 'member.relationship', { memberId });
        const elapsed = process.hrtime.bigint() - t;
        if (!health.ok) throw new Error(`relationship of ${memberId}: ${health.error.message}`);
        if (i >= WARM_UP) {
          withNs.push(Number(elapsed));
          states[(health.value as { health: { state: string } }).health.state]! += 1;
        }
      }
    };
    const timePlain = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const t = process.hrtime.bigint();
        await identify(lookups[i]!);
        const elapsed = process.hrtime.bigint() - t;
        if (i >= WARM_UP) plainNs.push(Number(elapsed));
      }
    };
    const runners = [timeWith, timePlain];
    for (let from = 0, block = 0; from < lookups.length; from += BLOCK, block++) {
      const to = Math.min(lookups.length, from + BLOCK);
      for (let k = 0; k < runners.length; k++) await runners[(block + k) % runners.length]!(from, to);
    }

    const memberIds = core.db.prepare('SELECT id FROM member LIMIT 5000').pluck().all() as string[];
    const recordNs: number[] = [];
    for (let i = 0; i < RECORD_SAMPLES + 100; i++) {
      const t = process.hrtime.bigint();
      const result = await core.dispatch('cashier', 'incident.record', {
        memberId: memberIds[i % memberIds.length]!,
        kind: INCIDENT_KINDS[i % INCIDENT_KINDS.length]!,
        severity: 1 + (i % 5),
        note: i % 3 === 0 ? 'Attente longue en caisse' : null,
        recordedBy: 'bench',
      });
      const elapsed = process.hrtime.bigint() - t;
      if (!result.ok) throw new Error(`record failed: ${result.error.message}`);
      if (i >= 100) recordNs.push(Number(elapsed));
    }
    const chainOk = core.ledger.verifyChain().ok;
    await core.close();

    const lookup = summarise(withNs);
    const plain = summarise(plainNs);
    const record = summarise(recordNs);
    const ratio = lookup.p50 / plain.p50;
    const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');
    console.log(
      `lookup with health (member.identify + member.relationship), ${withNs.length} cards: p50 ${fmt(lookup.p50)}, p90 ${fmt(lookup.p90)}, p99 ${fmt(lookup.p99)}, max ${fmt(lookup.max)}` +
        ` [p99 target ≤ ${TARGETS.lookupP99Ms} ms: ${verdict(lookup.p99 <= TARGETS.lookupP99Ms)}]`,
    );
    console.log(`plain lookup (member.identify), same cards: p50 ${fmt(plain.p50)}, p99 ${fmt(plain.p99)}`);
    console.log(`with health ÷ plain (medians): ${ratio.toFixed(2)} [target ≤ ${TARGETS.lookupVsPlainRatio}: ${verdict(ratio <= TARGETS.lookupVsPlainRatio)}]`);
    console.log(`health states seen: ${JSON.stringify(states)}`);
    console.log(
      `record (incident.record, committed), ${recordNs.length} incidents: p50 ${fmt(record.p50)}, p99 ${fmt(record.p99)}, max ${fmt(record.max)}` +
        ` [p99 target ≤ ${TARGETS.recordP99Ms} ms: ${verdict(record.p99 <= TARGETS.recordP99Ms)}]; chain verifies: ${chainOk}`,
    );
    const targetsMet = lookup.p99 <= TARGETS.lookupP99Ms && ratio <= TARGETS.lookupVsPlainRatio && record.p99 <= TARGETS.recordP99Ms && chainOk;
    console.log(
      JSON.stringify({
        suite: 'relationship',
        members: seeded,
        incidents,
        incidents_local: split.local,
        incidents_other_stores: split.chain,
        seed_s: Math.round(seedS * 100) / 100,
        start_s: Math.round(startS * 100) / 100,
        lookup_samples: withNs.length,
        lookup_p50_ms: round(lookup.p50),
        lookup_p99_ms: round(lookup.p99),
        plain_p50_ms: round(plain.p50),
        plain_p99_ms: round(plain.p99),
        lookup_vs_plain_ratio: Math.round(ratio * 100) / 100,
        record_samples: recordNs.length,
        record_p50_ms: round(record.p50),
        record_p99_ms: round(record.p99),
        health_states: states,
        targets: TARGETS,
        targets_met: targetsMet,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
