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
import { DEFAULT_HEALTH_PARAMS, healthOfIncidents, type HealthParams } from '../../../shared/domain/relationship-health';
import type { IncidentFactWire } from '../../../shared/sync/relationship-item';
import { uuidv7 } from '../ids';
import { appendCredit, type PinGuard } from '../ledger/adjustment';
import type { CanonicalValue } from '../ledger/canonical';
import { spendablePoints } from '../ledger/chain-view';
import type { LedgerContext } from '../ledger/context';
import type { AppendedEntry } from '../ledger/journal';
import { parseInput } from '../ledger/schemas';
import { GoodwillLedger, gestureCents, periodKey } from './goodwill';
import { INCIDENT_COLUMNS, incidentView, relationshipSummaries, type IncidentRow, type RelationshipSummaries } from './relationship-summary';

const YEAR_MS = 365 * 86_400_000;

function issue(code: ConstructorParameters<typeof AppFailure>[0], message: string, path: string, key: string): AppFailure {
  return new AppFailure(code, message, [{ path, message: key }]);
}

function entryRef(e: AppendedEntry) {
  return { seq: e.seq, entryId: e.entryId, kind: e.kind, entryHash: e.entryHash };
}

/**
 * Customer incidents (docs/relationship.md): recorded, re-qualified and
 * resolved as entries of the terminal's journal, each with its projection
 * (`incident`), its health fact (`incident_fact`), its note (kept outside
 * the hash, in `incident_note`) and the member's summary
 * (relationship-summary.ts) in one transaction. Every refusal happens before
 * the transaction and writes nothing.
 */
export class IncidentBook {
  private readonly goodwill: GoodwillLedger;
  private readonly summaries: RelationshipSummaries;
  private readonly s: {
    member: Statement<[string], { created_at: number }>;
    lookup: Statement<[number, string], { created_at: number; summary: string | null; visits: number }>;
    incident: Statement<[string], IncidentRow>;
    insertIncident: Statement;
    updateIncident: Statement<[string, number, string | null, string]>;
    resolveIncident: Statement<[string, string, number, number, string, string | null, string]>;
    insertFact: Statement<[string, string, string]>;
    note: Statement<[string], { text: string }>;
    insertNote: Statement<[string, string, string, number]>;
  };

  constructor(
    private readonly ctx: LedgerContext,
    private readonly pins: PinGuard,
    private readonly params: HealthParams = DEFAULT_HEALTH_PARAMS,
  ) {
    const { db } = ctx;
    this.goodwill = new GoodwillLedger(db, ctx.monotonic);
    this.summaries = relationshipSummaries(db);
    this.s = {
      member: db.prepare('SELECT created_at FROM member WHERE id = ?'),
      // What a lookup reads, in one statement: the member with their summary (relationship-summary.ts) and this terminal's visits of the year.
      lookup: db.prepare(
        `SELECT m.created_at,
           m.relationship AS summary,
           (SELECT count(*) FROM ledger_entry WHERE member_id = m.id AND kind = 'earn' AND wall_time >= ?) AS visits
         FROM member m WHERE m.id = ?`,
      ),
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
      note: db.prepare('SELECT text FROM incident_note WHERE incident_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1'),
      insertNote: db.prepare('INSERT INTO incident_note (note_id, incident_id, text, created_at) VALUES (?, ?, ?, ?)'),
    };
  }

  /** Builds the summaries of members left stale (an upgrade, rows written around the book), a batch per transaction. */
  catchUp(): Promise<number> {
    return this.summaries.catchUp();
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
      this.summarise(input.memberId);
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
      this.summarise(row.member_id);
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
      this.summarise(row.member_id);
      return { incident: this.view(input.incidentId), entry: entryRef(entry), adjustment, budget: this.budget() };
    });
  }

  /** The member's health from every store's facts HQ sent and this terminal's own, with the open incidents and the budget. */
  relationship(memberId: string): RelationshipView {
    const now = this.ctx.clock.now();
    const member = this.s.lookup.get(now - YEAR_MS, memberId);
    if (!member) throw issue('not_found', 'no such member', 'memberId', 'incident.member_unknown');
    const summary = this.summaries.stored(memberId, member.summary, now) ?? this.summaries.build(memberId, now);
    const visits12m = Math.max(member.visits, summary.chainVisits12m);
    const health = healthOfIncidents(summary.incidents, { memberSince: member.created_at, visits12m }, now, this.params, this.ctx.rules.timeZone);
    const budget = this.budget();
    const value = this.ctx.rules.redemption.value;
    const suggested = health.suggestedGesture;
    const openIncidents = summary.open.map(({ view, noted }) => ({ ...view, note: noted ? (this.s.note.get(view.incidentId)?.text ?? null) : null }));
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

  private fact(memberId: string | null, fact: IncidentFactWire): void {
    // An anonymous customer has no relationship to keep: the projection holds the incident.
    if (memberId !== null) this.s.insertFact.run(memberId, fact.entryId, JSON.stringify(fact));
  }

  /** Last in each write's transaction: the member's summary from what it wrote. */
  private summarise(memberId: string | null): void {
    if (memberId !== null) this.summaries.refresh(memberId);
  }

  /** The open incident, or the refusal: unknown, or already resolved (here or, as HQ said, elsewhere). */
  private openRow(incidentId: string): IncidentRow {
    const row = this.s.incident.get(incidentId);
    if (!row) throw issue('not_found', 'no such incident on this terminal', 'incidentId', 'incident.unknown');
    const resolvedElsewhere =
      row.member_id !== null && (this.summaries.chainItem(row.member_id)?.facts.some((f) => f.type === 'resolve' && f.incidentId === incidentId) ?? false);
    if (row.status === 'resolved' || resolvedElsewhere) throw issue('conflict', 'this incident is already resolved', 'incidentId', 'incident.already_resolved');
    return row;
  }

  private view(incidentId: string): IncidentView {
    return incidentView(this.s.incident.get(incidentId)!, this.s.note.get(incidentId)?.text ?? null);
  }
}
