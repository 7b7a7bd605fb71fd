import type { Statement } from 'better-sqlite3';
import type { IncidentView } from '../../../shared/contract';
import { foldIncidents, INCIDENT_KINDS, INCIDENT_OUTCOMES, type IncidentState } from '../../../shared/domain/relationship-health';
import { relationshipKey, type IncidentFactWire, type MemberRelationshipItem } from '../../../shared/sync/relationship-item';
import type { Db } from '../db/database';

/**
 * One summary per member (the member row's `relationship` column, migrations
 * 12 and 14) holding what a lookup needs from every store's incident facts,
 * already folded: reading health is then the member row the card lookup has
 * just read, not the member's facts, HQ's item and each open incident's row.
 * It is a cache of the facts and never their record: triggers clear it and
 * mark the member stale whenever one of its sources changes (incident_fact,
 * incident, a note, HQ's `relationship:` item), and the writes that change
 * them (incident-book.ts, a pull) build it again in the same transaction. A
 * member without one, or whose facts run ahead of the clock, is read from the
 * sources as before.
 */
export interface IncidentRow {
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

export const INCIDENT_COLUMNS =
  'incident_id, member_id, kind, severity, channel, till_id, receipt, recorded_by, opened_at, status, outcome, gesture, resolved_at, note_id';

/** An open incident as the member panel lists it, but for its note: personal data, read at each lookup and never copied here. */
export interface OpenIncident {
  view: Omit<IncidentView, 'note'>;
  noted: boolean;
}

export interface RelationshipSummary {
  /** The time of the member's latest fact: a summary folded them all, so it holds only once the clock has reached it. */
  latestAt: number;
  /** Visits in every store over 12 months, as HQ last said (0 before it says). */
  chainVisits12m: number;
  /** foldIncidents' answer, in its order. */
  incidents: IncidentState[];
  open: OpenIncident[];
}

/**
 * Stored form, kept small so most rows fit a page beside others: positional
 * arrays, kinds and outcomes by their index in the model's lists, no incident
 * id but for the open ones (health needs the order, which is kept, not the
 * ids). A row of another format version is not believed.
 */
const FORMAT = 1;
type StoredIncident = [kind: number, severity: number, openedAt: number, outcome: number, resolvedAt: number | null];
type StoredOpen = [
  incidentId: string,
  local: 0 | 1,
  channel: IncidentView['channel'],
  tillId: string | null,
  receipt: string | null,
  recordedBy: string | null,
  openedAt: number,
  status: IncidentView['status'],
  outcome: IncidentView['outcome'],
  gesture: IncidentView['gesture'],
  resolvedAt: number | null,
  noted: 0 | 1,
];
type StoredSummary = [format: number, latestAt: number, chainVisits12m: number, incidents: StoredIncident[], open: StoredOpen[]];

function storeIncident(i: IncidentState): StoredIncident {
  return [INCIDENT_KINDS.indexOf(i.kind), i.severity, i.openedAt, i.outcome === null ? -1 : INCIDENT_OUTCOMES.indexOf(i.outcome), i.resolvedAt];
}

function storeOpen(o: OpenIncident): StoredOpen {
  const v = o.view;
  return [v.incidentId, v.origin === 'local' ? 1 : 0, v.channel, v.tillId, v.receipt, v.recordedBy, v.openedAt, v.status, v.outcome, v.gesture, v.resolvedAt, o.noted ? 1 : 0];
}

/** Back from the stored form, with the open incident's kind and severity as folded (the incidents in the same order). */
function readOpen(s: StoredOpen, memberId: string, state: IncidentState | undefined): OpenIncident {
  const [incidentId, local, channel, tillId, receipt, recordedBy, openedAt, status, outcome, gesture, resolvedAt, noted] = s;
  return {
    view: {
      incidentId,
      memberId,
      kind: state!.kind,
      severity: state!.severity,
      channel,
      tillId,
      receipt,
      recordedBy,
      openedAt,
      status,
      outcome,
      gesture,
      resolvedAt,
      origin: local === 1 ? 'local' : 'chain',
    },
    noted: noted === 1,
  };
}

export function incidentView(row: IncidentRow, note: string | null): IncidentView {
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
    note,
  };
}

function viewGesture(g: Record<string, unknown>): NonNullable<IncidentView['gesture']> {
  return {
    type: g.type as NonNullable<IncidentView['gesture']>['type'],
    points: typeof g.points === 'number' ? g.points : null,
    valueCents: typeof g.value_cents === 'number' ? g.value_cents : 0,
    reference: typeof g.reference === 'string' ? g.reference : null,
  };
}

/** Members refreshed per transaction when catching up (after an upgrade, or rows written around the book). */
export const CATCH_UP_BATCH = 500;
/** Every fact, whatever the clock says: the summary is used only once the clock has passed the latest. */
const ALL_FACTS = Number.MAX_SAFE_INTEGER;

export class RelationshipSummaries {
  private readonly s: {
    facts: Statement<[string], { fact: string }>;
    chainItem: Statement<[string], { value: string }>;
    incident: Statement<[string], IncidentRow>;
    noted: Statement<[string], { one: number }>;
    put: Statement<[string, string]>;
    unstale: Statement<[string]>;
    stale: Statement<[number], { member_id: string }>;
  };

  constructor(private readonly db: Db) {
    this.s = {
      facts: db.prepare('SELECT fact FROM incident_fact WHERE member_id = ?'),
      chainItem: db.prepare("SELECT value FROM sync_bucket_item WHERE bucket = 'store' AND key = ?"),
      incident: db.prepare(`SELECT ${INCIDENT_COLUMNS} FROM incident WHERE incident_id = ?`),
      noted: db.prepare('SELECT 1 AS one FROM incident_note WHERE incident_id = ? LIMIT 1'),
      put: db.prepare('UPDATE member SET relationship = ? WHERE id = ?'),
      unstale: db.prepare('DELETE FROM relationship_stale WHERE member_id = ?'),
      stale: db.prepare('SELECT member_id FROM relationship_stale LIMIT ?'),
    };
  }

  /** What HQ last sent about the member, checked when it was pulled. */
  chainItem(memberId: string): MemberRelationshipItem | null {
    const row = this.s.chainItem.get(relationshipKey(memberId));
    return row ? (JSON.parse(row.value) as MemberRelationshipItem) : null;
  }

  /** The member's stored summary (the row's text, read with the member: incident-book.ts), if it holds at `now`. */
  stored(memberId: string, text: string | null, now: number): RelationshipSummary | null {
    if (text === null) return null;
    const parsed = JSON.parse(text) as unknown;
    if (!Array.isArray(parsed) || parsed[0] !== FORMAT) return null;
    const [, latestAt, chainVisits12m, stored, storedOpen] = parsed as StoredSummary;
    if (latestAt > now) return null;
    const open = storedOpen.map((o) => o[0]);
    const incidents: IncidentState[] = [];
    let k = 0;
    for (const [kind, severity, openedAt, outcome, resolvedAt] of stored) {
      // Open incidents are stored with their ids, in the same order; the others need none.
      const incidentId = outcome === -1 ? open[k++]! : '';
      incidents.push({ incidentId, kind: INCIDENT_KINDS[kind]!, severity, openedAt, outcome: outcome === -1 ? null : INCIDENT_OUTCOMES[outcome]!, resolvedAt });
    }
    return { latestAt, chainVisits12m, incidents, open: storedOpen.map((o, i) => readOpen(o, memberId, incidents.find((s) => s.incidentId === open[i]))) };
  }

  /** The summary from the sources, as known at `asOf` (facts after it left out). */
  build(memberId: string, asOf: number): RelationshipSummary {
    const chain = this.chainItem(memberId);
    const facts: IncidentFactWire[] = this.s.facts.all(memberId).map((r) => JSON.parse(r.fact) as IncidentFactWire);
    if (chain) facts.push(...chain.facts);
    const incidents = foldIncidents(facts, asOf);
    let latestAt = 0;
    for (const f of facts) if (f.at > latestAt) latestAt = f.at;
    const open = incidents.filter((i) => i.outcome === null).map((i) => this.openIncident(i, memberId, facts));
    return { latestAt, chainVisits12m: chain?.visits12m ?? 0, incidents, open };
  }

  /** Builds and keeps the member's summary; inside the transaction that changed its sources. */
  refresh(memberId: string): void {
    const { latestAt, chainVisits12m, incidents, open } = this.build(memberId, ALL_FACTS);
    const stored: StoredSummary = [FORMAT, latestAt, chainVisits12m, incidents.map(storeIncident), open.map(storeOpen)];
    this.s.put.run(JSON.stringify(stored), memberId);
    this.s.unstale.run(memberId);
  }

  /** Refreshes up to `limit` members marked stale; how many it did. Inside a transaction. */
  refreshStale(limit: number): number {
    const members = this.s.stale.all(limit);
    for (const m of members) this.refresh(m.member_id);
    return members.length;
  }

  /** Every stale member, a batch per transaction, yielding to the event loop between batches. */
  async catchUp(): Promise<number> {
    let done = 0;
    for (;;) {
      const n = this.db.transaction(() => this.refreshStale(CATCH_UP_BATCH)).immediate();
      done += n;
      if (n < CATCH_UP_BATCH) return done;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** An open incident as the facts have it: this terminal's own row when it has one, else what HQ said of it. */
  private openIncident(state: IncidentState, memberId: string, facts: readonly IncidentFactWire[]): OpenIncident {
    const row = this.s.incident.get(state.incidentId);
    if (row) {
      const { note: _note, ...view } = incidentView(row, null);
      return { view: { ...view, kind: state.kind, severity: state.severity }, noted: this.s.noted.get(state.incidentId) !== undefined };
    }
    const opened = facts.find((f): f is Extract<IncidentFactWire, { type: 'open' }> => f.type === 'open' && f.incidentId === state.incidentId);
    return {
      view: {
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
      },
      noted: false,
    };
  }
}

const byDb = new WeakMap<Db, RelationshipSummaries>();

/** The summaries of this database, statements prepared once (a pull and the book share them). */
export function relationshipSummaries(db: Db): RelationshipSummaries {
  let summaries = byDb.get(db);
  if (!summaries) byDb.set(db, (summaries = new RelationshipSummaries(db)));
  return summaries;
}

/** What a pull calls at the end of its transaction: the members whose `relationship:` item it wrote (or any left stale) read right at once. */
export function refreshStaleRelationships(db: Db): void {
  const summaries = relationshipSummaries(db);
  while (summaries.refreshStale(CATCH_UP_BATCH) === CATCH_UP_BATCH);
}
