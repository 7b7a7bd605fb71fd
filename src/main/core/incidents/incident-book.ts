import type { Statement } from 'better-sqlite3';
import {
  AppFailure,
  IncidentRecordInput,
  IncidentResolveInput,
  IncidentUpdateInput,
  type GoodwillBudgetView,
  type IncidentOutcomeView,
  type IncidentView,
  type RelationshipView,
} from '../../../shared/contract';
import { DEFAULT_HEALTH_PARAMS, foldIncidents, relationshipHealth, type HealthParams, type IncidentState } from '../../../shared/domain/relationship-health';
import { relationshipKey, type IncidentFactWire, type MemberRelationshipItem } from '../../../shared/sync/relationship-item';
import { uuidv7 } from '../ids';
import { appendCredit, type PinGuard } from '../ledger/adjustment';
import type { CanonicalValue } from '../ledger/canonical';
import { spendablePoints } from '../ledger/chain-view';
import type { LedgerContext } from '../ledger/context';
import type { AppendedEntry } from '../ledger/journal';
import { parseInput } from '../ledger/schemas';
import { GoodwillLedger, gestureCents, periodKey } from './goodwill';

/**
 * Customer incidents (docs/relationship.md): recorded, re-qualified and
 * resolved as entries of the terminal's journal, each with its projection
 * (`incident`), its health fact (`incident_fact`) and its note (kept outside
 * the hash, in `incident_note`) in one transaction. Every refusal happens
 * before the transaction and writes nothing.
 */
interface IncidentRow {
  incident_id: string;
  member_id: string | null;
  kind: string;
  severity: number;
  channel: string;
  till_id: string | null;
  receipt: string | null;
  recorded_by: string;
  opened_at: number;
  status: 'open' | 'resolved';
  outcome: string | null;
  gesture: string | null;
  resolved_at: number | null;
  note_id: string | null;
}

const INCIDENT_COLUMNS = 'incident_id, member_id, kind, severity, channel, till_id, receipt, recorded_by, opened_at, status, outcome, gesture, resolved_at, note_id';
const YEAR_MS = 365 * 86_400_000;

function issue(code: ConstructorParameters<typeof AppFailure>[0], message: string, path: string, key: string): AppFailure {
  return new AppFailure(code, message, [{ path, message: key }]);
}

function entryRef(e: AppendedEntry) {
  return { seq: e.seq, entryId: e.entryId, kind: e.kind, entryHash: e.entryHash };
}

export class IncidentBook {
  private readonly goodwill: GoodwillLedger;
  private readonly s: {
    member: Statement<[string], { created_at: number }>;
    incident: Statement<[string], IncidentRow>;
    insertIncident: Statement;
    updateIncident: Statement<[string, number, string | null, string]>;
    resolveIncident: Statement<[string, string, number, number, string, string | null, string]>;
    insertFact: Statement<[string, string, string]>;
    facts: Statement<[string], { fact: string }>;
    chainItem: Statement<[string], { value: string }>;
    note: Statement<[string], { text: string }>;
    insertNote: Statement<[string, string, string, number]>;
    localVisits: Statement<[string, number], { n: number }>;
  };

  constructor(
    private readonly ctx: LedgerContext,
    private readonly pins: PinGuard,
    private readonly params: HealthParams = DEFAULT_HEALTH_PARAMS,
  ) {
    const { db } = ctx;
    this.goodwill = new GoodwillLedger(db, ctx.monotonic);
    this.s = {
      member: db.prepare('SELECT created_at FROM member WHERE id = ?'),
      incident: db.prepare(`SELECT ${INCIDENT_COLUMNS} FROM incident WHERE incident_id = ?`),
      insertIncident: db.prepare(
        `INSERT INTO incident (incident_id, member_id, kind, severity, channel, till_id, receipt, recorded_by, opened_at, status, note_id)
         VALUES (@incident_id, @member_id, @kind, @severity, @channel, @till_id, @receipt, @recorded_by, @opened_at, 'open', @note_id)`,
      ),
      updateIncident: db.prepare('UPDATE incident SET kind = ?, severity = ?, note_id = coalesce(?, note_id) WHERE incident_id = ?'),
      resolveIncident: db.prepare(
        "UPDATE incident SET status = 'resolved', outcome = ?, gesture = ?, gesture_cents = ?, resolved_at = ?, resolved_by = ?, approved_by = ? WHERE incident_id = ?",
      ),
      insertFact: db.prepare('INSERT INTO incident_fact (member_id, entry_id, fact) VALUES (?, ?, ?)'),
      facts: db.prepare('SELECT fact FROM incident_fact WHERE member_id = ?'),
      chainItem: db.prepare("SELECT value FROM sync_bucket_item WHERE bucket = 'store' AND key = ?"),
      note: db.prepare('SELECT text FROM incident_note WHERE incident_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1'),
      insertNote: db.prepare('INSERT INTO incident_note (note_id, incident_id, text, created_at) VALUES (?, ?, ?, ?)'),
      localVisits: db.prepare("SELECT count(*) AS n FROM ledger_entry WHERE member_id = ? AND kind = 'earn' AND wall_time >= ?"),
    };
  }

  budget(): GoodwillBudgetView {
    return this.goodwill.budget(this.ctx.rules, this.ctx.clock.now());
  }

  record(raw: unknown): IncidentOutcomeView {
    const input = parseInput(IncidentRecordInput, raw, 'incident');
    if (input.memberId !== null && !this.s.member.get(input.memberId)) {
      throw issue('not_found', 'no such member', 'memberId', 'incident.member_unknown');
    }
    const { ctx } = this;
    return ctx.write(() => {
      const now = ctx.clock.now();
      const incidentId = uuidv7(ctx.clock, ctx.random);
      const noteId = input.note ? uuidv7(ctx.clock, ctx.random) : null;
      const entry = ctx.journal.append({
        kind: 'incident_open',
        // A group is one transaction's entries, contiguous in the stream (the outbox relies on it): never the incident id.
        groupId: uuidv7(ctx.clock, ctx.random),
        memberId: input.memberId,
        tillId: input.tillId,
        receipt: input.receipt,
        postings: [],
        detail: { incident_id: incidentId, kind: input.kind, severity: input.severity, channel: input.channel, recorded_by: input.recordedBy, note_id: noteId },
      });
      this.s.insertIncident.run({
        incident_id: incidentId,
        member_id: input.memberId,
        kind: input.kind,
        severity: input.severity,
        channel: input.channel,
        till_id: input.tillId,
        receipt: input.receipt,
        recorded_by: input.recordedBy,
        opened_at: entry.wallTime,
        note_id: noteId,
      });
      if (noteId) this.s.insertNote.run(noteId, incidentId, input.note!, now);
      this.fact(input.memberId, {
        type: 'open',
        entryId: entry.entryId,
        incidentId,
        at: entry.wallTime,
        terminalId: ctx.journal.terminalId,
        kind: input.kind,
        severity: input.severity,
        channel: input.channel,
        tillId: input.tillId,
        receipt: input.receipt,
      });
      return { incident: this.view(incidentId), entry: entryRef(entry), adjustment: null, budget: this.budget() };
    });
  }

  update(raw: unknown): IncidentOutcomeView {
    const input = parseInput(IncidentUpdateInput, raw, 'incident update');
    const row = this.openRow(input.incidentId);
    const { ctx } = this;
    return ctx.write(() => {
      const again = this.openRow(input.incidentId);
      const now = ctx.clock.now();
      const noteId = input.note ? uuidv7(ctx.clock, ctx.random) : null;
      const entry = ctx.journal.append({
        kind: 'incident_update',
        groupId: uuidv7(ctx.clock, ctx.random),
        memberId: row.member_id,
        tillId: null,
        receipt: null,
        postings: [],
        detail: { incident_id: input.incidentId, kind: input.kind, severity: input.severity, recorded_by: input.recordedBy, note_id: noteId },
      });
      this.s.updateIncident.run(input.kind ?? again.kind, input.severity ?? again.severity, noteId, input.incidentId);
      if (noteId) this.s.insertNote.run(noteId, input.incidentId, input.note!, now);
      if (input.kind !== null || input.severity !== null) {
        this.fact(row.member_id, {
          type: 'update',
          entryId: entry.entryId,
          incidentId: input.incidentId,
          at: entry.wallTime,
          terminalId: ctx.journal.terminalId,
          kind: input.kind,
          severity: input.severity,
        });
      }
      return { incident: this.view(input.incidentId), entry: entryRef(entry), adjustment: null, budget: this.budget() };
    });
  }

  resolve(raw: unknown): IncidentOutcomeView {
    const input = parseInput(IncidentResolveInput, raw, 'incident resolution');
    const row = this.openRow(input.incidentId);
    const { ctx } = this;
    const { gesture } = input;
    if (gesture.type === 'points' && row.member_id === null) {
      throw issue('bad_input', 'points need a member: this incident is an anonymous customer', 'gesture.points', 'incident.points_need_member');
    }
    const cents = gestureCents(gesture, ctx.rules);
    const budget = this.budget();
    if (cents > budget.remainingCents) {
      throw issue('over_limit', `the gesture (${cents} cents) is past what is left of the store's goodwill budget (${budget.remainingCents} cents)`, 'gesture', 'incident.over_budget');
    }
    if (cents > budget.cashierLimitCents && !input.manager) {
      throw issue('forbidden', `a gesture above ${budget.cashierLimitCents} cents needs a manager's PIN`, 'manager.pin', 'ledger.manager_pin_required');
    }
    if (input.manager) this.pins.check(input.manager.pin, ctx.policy.managerPinHash);

    return ctx.write(() => {
      this.openRow(input.incidentId);
      const now = ctx.clock.now();
      const approvedBy = input.manager?.id ?? null;
      const groupId = uuidv7(ctx.clock, ctx.random);
      let adjustment: IncidentOutcomeView['adjustment'] = null;
      if (gesture.type === 'points') {
        const memberId = row.member_id!;
        const { entry } = appendCredit(ctx, memberId, gesture.points, groupId, {
          adjustment_id: `incident:${input.incidentId}`,
          reason: 'incident gesture',
          actor: input.recordedBy,
          approved_by: approvedBy,
          points: gesture.points,
          incident_id: input.incidentId,
        });
        adjustment = { points: gesture.points, balanceAfter: spendablePoints(ctx, memberId), entry: entryRef(entry) };
      }
      const gestureDetail: { [key: string]: CanonicalValue } = {
        type: gesture.type,
        points: gesture.type === 'points' ? gesture.points : null,
        value_cents: cents,
        reference: gesture.type === 'voucher' || gesture.type === 'refund' ? gesture.reference : null,
      };
      const entry = ctx.journal.append({
        kind: 'incident_resolve',
        groupId,
        memberId: row.member_id,
        tillId: null,
        receipt: null,
        postings: [],
        detail: {
          incident_id: input.incidentId,
          outcome: input.outcome,
          gesture: gestureDetail,
          adjustment_entry_id: adjustment?.entry.entryId ?? null,
          recorded_by: input.recordedBy,
          approved_by: approvedBy,
        },
      });
      this.s.resolveIncident.run(input.outcome, JSON.stringify(gestureDetail), cents, entry.wallTime, input.recordedBy, approvedBy, input.incidentId);
      this.goodwill.spend(periodKey(budget.period, now, ctx.rules.timeZone), cents);
      this.fact(row.member_id, { type: 'resolve', entryId: entry.entryId, incidentId: input.incidentId, at: entry.wallTime, terminalId: ctx.journal.terminalId, outcome: input.outcome });
      return { incident: this.view(input.incidentId), entry: entryRef(entry), adjustment, budget: this.budget() };
    });
  }

  /** The member's health from every store's facts HQ sent and this terminal's own, with the open incidents and the budget. */
  relationship(memberId: string): RelationshipView {
    const member = this.s.member.get(memberId);
    if (!member) throw issue('not_found', 'no such member', 'memberId', 'incident.member_unknown');
    const now = this.ctx.clock.now();
    const chain = this.chainItem(memberId);
    const facts: IncidentFactWire[] = this.s.facts.all(memberId).map((r) => JSON.parse(r.fact) as IncidentFactWire);
    if (chain) facts.push(...chain.facts);
    const local = this.s.localVisits.get(memberId, now - YEAR_MS)?.n ?? 0;
    const health = relationshipHealth({ facts, memberSince: member.created_at, visits12m: Math.max(local, chain?.visits12m ?? 0) }, now, this.params, this.ctx.rules.timeZone);
    const budget = this.budget();
    const value = this.ctx.rules.redemption.value;
    const suggested = health.suggestedGesture;
    const openIncidents = foldIncidents(facts, now)
      .filter((i) => i.outcome === null)
      .map((i) => this.viewOf(i, memberId, facts));
    return {
      memberId,
      health: {
        state: health.state,
        load: health.load,
        tolerance: health.tolerance,
        paramsVersion: health.paramsVersion,
        reason: health.reason,
        suggestedGesture: suggested
          ? { severity: suggested.severity, valueCents: suggested.valueCents, points: Math.floor((Math.min(suggested.valueCents, budget.remainingCents) * value.points) / value.cents) }
          : null,
      },
      openIncidents,
      budget,
    };
  }

  private chainItem(memberId: string): MemberRelationshipItem | null {
    const row = this.s.chainItem.get(relationshipKey(memberId));
    return row ? (JSON.parse(row.value) as MemberRelationshipItem) : null;
  }

  private fact(memberId: string | null, fact: IncidentFactWire): void {
    // An anonymous customer has no relationship to keep: the projection holds the incident.
    if (memberId !== null) this.s.insertFact.run(memberId, fact.entryId, JSON.stringify(fact));
  }

  /** The open incident, or the refusal: unknown, or already resolved (here or, as HQ said, elsewhere). */
  private openRow(incidentId: string): IncidentRow {
    const row = this.s.incident.get(incidentId);
    if (!row) throw issue('not_found', 'no such incident on this terminal', 'incidentId', 'incident.unknown');
    const resolvedElsewhere =
      row.member_id !== null && (this.chainItem(row.member_id)?.facts.some((f) => f.type === 'resolve' && f.incidentId === incidentId) ?? false);
    if (row.status === 'resolved' || resolvedElsewhere) throw issue('conflict', 'this incident is already resolved', 'incidentId', 'incident.already_resolved');
    return row;
  }

  private view(incidentId: string, known?: IncidentRow): IncidentView {
    const row = known ?? this.s.incident.get(incidentId)!;
    return {
      incidentId: row.incident_id,
      memberId: row.member_id,
      kind: row.kind as IncidentView['kind'],
      severity: row.severity,
      channel: row.channel as IncidentView['channel'],
      tillId: row.till_id,
      receipt: row.receipt,
      recordedBy: row.recorded_by,
      openedAt: row.opened_at,
      status: row.status,
      outcome: row.outcome as IncidentView['outcome'],
      gesture: row.gesture === null ? null : viewGesture(JSON.parse(row.gesture) as Record<string, unknown>),
      resolvedAt: row.resolved_at,
      origin: 'local',
      note: this.s.note.get(incidentId)?.text ?? null,
    };
  }

  /** An incident as the facts have it: this terminal's own row when it has one, else what HQ said of it. */
  private viewOf(state: IncidentState, memberId: string, facts: readonly IncidentFactWire[]): IncidentView {
    const row = this.s.incident.get(state.incidentId);
    if (row) return { ...this.view(state.incidentId, row), kind: state.kind, severity: state.severity };
    const opened = facts.find((f): f is Extract<IncidentFactWire, { type: 'open' }> => f.type === 'open' && f.incidentId === state.incidentId);
    return {
      incidentId: state.incidentId,
      memberId,
      kind: state.kind,
      severity: state.severity,
      channel: opened?.channel ?? null,
      tillId: opened?.tillId ?? null,
      receipt: opened?.receipt ?? null,
      recordedBy: null,
      openedAt: state.openedAt,
      status: state.outcome === null ? 'open' : 'resolved',
      outcome: state.outcome,
      gesture: null,
      resolvedAt: state.resolvedAt,
      origin: 'chain',
      note: null,
    };
  }
}

function viewGesture(g: Record<string, unknown>): NonNullable<IncidentView['gesture']> {
  return {
    type: g.type as NonNullable<IncidentView['gesture']>['type'],
    points: typeof g.points === 'number' ? g.points : null,
    valueCents: typeof g.value_cents === 'number' ? g.value_cents : 0,
    reference: typeof g.reference === 'string' ? g.reference : null,
  };
}
