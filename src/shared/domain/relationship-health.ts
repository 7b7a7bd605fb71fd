/**
 * Relationship health: how much a member's incidents weigh on their
 * relationship with the chain, against the tolerance that relationship has
 * earned. Pure and deterministic: the same facts and the same `now` give the
 * same answer, whatever order the facts arrived in (they are a set, keyed by
 * the journal entry that wrote each one). The reasoning and the defaults are
 * in docs/relationship.md; the parameters are versioned so a programme can
 * carry its own set and a result says which set produced it.
 */

export const INCIDENT_KINDS = [
  'product_defect',
  'advertised_out_of_stock',
  'waiting_time',
  'billing_error',
  'staff_behaviour',
  'order_delivery',
  'points_error',
  'cleanliness',
  'other',
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export const INCIDENT_OUTCOMES = ['well_resolved', 'poorly_resolved', 'unresolved', 'declined'] as const;
export type IncidentOutcome = (typeof INCIDENT_OUTCOMES)[number];

export const INCIDENT_CHANNELS = ['till', 'survey', 'till_api', 'hq'] as const;
export type IncidentChannel = (typeof INCIDENT_CHANNELS)[number];

export const HEALTH_STATES = ['ok', 'fragile', 'at_risk'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/**
 * One fact about an incident, as a journal entry recorded it. `entryId` is
 * the entry's id: the same fact reaching a terminal twice (its own, and
 * again through HQ) counts once.
 */
export type IncidentFact =
  | { entryId: string; incidentId: string; type: 'open'; at: number; kind: IncidentKind; severity: number }
  | { entryId: string; incidentId: string; type: 'update'; at: number; kind: IncidentKind | null; severity: number | null }
  | { entryId: string; incidentId: string; type: 'resolve'; at: number; outcome: IncidentOutcome };

export interface RelationshipInputs {
  facts: readonly IncidentFact[];
  /** When the member joined (their enrolment), epoch ms. */
  memberSince: number;
  /** Visits (sales) in the last 12 months, chain-wide when HQ has said. */
  visits12m: number;
}

export interface HealthParams {
  /** Names this set: results carry it, so a reading can be traced to its parameters. */
  version: string;
  /** Points of an incident by severity 1..5 before any multiplier. */
  severityPoints: readonly [number, number, number, number, number];
  /** Half-lives of the transient outcomes, in days. */
  halfLifeDays: { well_resolved: number; declined: number };
  /** Cumulative outcomes keep this multiple of their points, undecayed. */
  multipliers: { open: number; unresolved: number; poorly_resolved: number };
  /** An incident of a kind already seen within `windowDays` before it weighs `multiplier` times more. */
  repeat: { windowDays: number; multiplier: number };
  /** All multipliers of one incident together never exceed this. */
  multiplierCap: number;
  /** T = base × (1 + tenureBonus × min(1, tenure / tenureFullDays) + regularityBonus × min(1, visits12m / visitsFull)). */
  tolerance: { base: number; tenureBonus: number; tenureFullDays: number; regularityBonus: number; visitsFull: number };
  /** Past this share of the tolerance a member is `fragile`; past the tolerance, `at_risk`. */
  fragileShare: number;
  /** The gesture suggested for an at-risk member, in cents, by the severity of their heaviest incident (1..5). */
  gestureCentsBySeverity: readonly [number, number, number, number, number];
}

export const DEFAULT_HEALTH_PARAMS: HealthParams = {
  version: 'health-2026.1',
  severityPoints: [1, 2, 4, 6, 8],
  halfLifeDays: { well_resolved: 30, declined: 14 },
  multipliers: { open: 2, unresolved: 2, poorly_resolved: 1.5 },
  repeat: { windowDays: 90, multiplier: 1.5 },
  multiplierCap: 3,
  tolerance: { base: 8, tenureBonus: 0.25, tenureFullDays: 730, regularityBonus: 0.25, visitsFull: 24 },
  fragileShare: 0.5,
  gestureCentsBySeverity: [0, 500, 1000, 2000, 5000],
};

const DAY_MS = 86_400_000;

/** Where one incident stands at `now`, folded from its facts. */
export interface IncidentState {
  incidentId: string;
  kind: IncidentKind;
  severity: number;
  openedAt: number;
  /** null while open. */
  outcome: IncidentOutcome | null;
  resolvedAt: number | null;
}

export type ContributionState = 'open' | IncidentOutcome;

export interface Contribution {
  incidentId: string;
  kind: IncidentKind;
  severity: number;
  state: ContributionState;
  openedAt: number;
  /** Whether an incident of the same kind came within the repeat window before it. */
  repeat: boolean;
  weight: number;
}

export interface HealthReason {
  code: 'none' | 'unresolved' | 'recent';
  /** The incidents the line speaks of. */
  count: number;
  /** The earliest of them, epoch ms; null for `none`. */
  since: number | null;
  fr: string;
  en: string;
}

export interface RelationshipHealth {
  paramsVersion: string;
  state: HealthState;
  load: number;
  tolerance: number;
  /** Heaviest first; incidents weighing nothing any more are left out. */
  contributions: Contribution[];
  reason: HealthReason;
  /** Only for an at-risk member: sized to their heaviest incident's severity. */
  suggestedGesture: { severity: number; valueCents: number } | null;
}

/** Orders facts the same way everywhere: by time, then by entry id (UUIDv7 ids of one instant still differ). */
function compareFacts(a: IncidentFact, b: IncidentFact): number {
  return a.at - b.at || (a.entryId < b.entryId ? -1 : a.entryId > b.entryId ? 1 : 0);
}

/**
 * Folds facts into incident states as of `now`: duplicates (same entry id)
 * count once, facts after `now` are not known yet, and an incident whose
 * opening has not arrived is left out until it does. The last resolve wins.
 */
export function foldIncidents(facts: readonly IncidentFact[], now: number): IncidentState[] {
  const unique = new Map<string, IncidentFact>();
  for (const f of facts) if (f.at <= now && !unique.has(f.entryId)) unique.set(f.entryId, f);
  const sorted = [...unique.values()].sort(compareFacts);
  const states = new Map<string, IncidentState>();
  for (const f of sorted) {
    if (f.type === 'open') {
      if (!states.has(f.incidentId)) states.set(f.incidentId, { incidentId: f.incidentId, kind: f.kind, severity: f.severity, openedAt: f.at, outcome: null, resolvedAt: null });
    }
  }
  for (const f of sorted) {
    const s = states.get(f.incidentId);
    if (!s || f.type === 'open') continue;
    if (f.type === 'update') {
      if (f.kind !== null) s.kind = f.kind;
      if (f.severity !== null) s.severity = f.severity;
    } else {
      s.outcome = f.outcome;
      s.resolvedAt = f.at;
    }
  }
  return [...states.values()].sort((a, b) => a.openedAt - b.openedAt || (a.incidentId < b.incidentId ? -1 : a.incidentId > b.incidentId ? 1 : 0));
}

function severityPoints(params: HealthParams, severity: number): number {
  const i = Math.min(5, Math.max(1, Math.round(severity))) - 1;
  return params.severityPoints[i as 0 | 1 | 2 | 3 | 4];
}

/** The weight of one incident at `now`; `repeat` says whether the repeat multiplier applies. */
export function incidentWeight(params: HealthParams, incident: IncidentState, repeat: boolean, now: number): number {
  const points = severityPoints(params, incident.severity);
  const repeated = repeat ? params.repeat.multiplier : 1;
  switch (incident.outcome) {
    case null:
      return points * Math.min(params.multiplierCap, repeated * params.multipliers.open);
    case 'unresolved':
      return points * Math.min(params.multiplierCap, repeated * params.multipliers.unresolved);
    case 'poorly_resolved':
      return points * Math.min(params.multiplierCap, repeated * params.multipliers.poorly_resolved);
    case 'well_resolved':
    case 'declined': {
      const elapsed = Math.max(0, now - (incident.resolvedAt ?? now));
      return points * Math.min(params.multiplierCap, repeated) * 0.5 ** (elapsed / (params.halfLifeDays[incident.outcome] * DAY_MS));
    }
  }
}

export function tolerance(params: HealthParams, memberSince: number, visits12m: number, now: number): number {
  const t = params.tolerance;
  const tenure = Math.min(1, Math.max(0, now - memberSince) / (t.tenureFullDays * DAY_MS));
  const regularity = Math.min(1, Math.max(0, visits12m) / t.visitsFull);
  return t.base * (1 + t.tenureBonus * tenure + t.regularityBonus * regularity);
}

/** Weights below this are rounding dust: a fully faded incident is not named in the reason. */
const NEGLIGIBLE = 0.05;

export function relationshipHealth(inputs: RelationshipInputs, now: number, params: HealthParams = DEFAULT_HEALTH_PARAMS, timeZone = 'Europe/Paris'): RelationshipHealth {
  return healthOfIncidents(foldIncidents(inputs.facts, now), inputs, now, params, timeZone);
}

/**
 * The same reading from incidents already folded (foldIncidents, in its
 * order) with no fact after `now`: what a terminal keeps per member so that a
 * lookup does not fold every fact again.
 */
export function healthOfIncidents(
  incidents: readonly IncidentState[],
  member: Pick<RelationshipInputs, 'memberSince' | 'visits12m'>,
  now: number,
  params: HealthParams = DEFAULT_HEALTH_PARAMS,
  timeZone = 'Europe/Paris',
): RelationshipHealth {
  const windowMs = params.repeat.windowDays * DAY_MS;
  const contributions: Contribution[] = [];
  let load = 0;
  // Plain loops: this runs at every card lookup, and callbacks cost more than the arithmetic.
  for (let i = 0; i < incidents.length; i++) {
    const incident = incidents[i]!;
    // A repeat: an earlier-opened incident of the same kind (as each stands now) within the window.
    let repeat = false;
    for (let j = 0; j < i && !repeat; j++) {
      const o = incidents[j]!;
      repeat = o.kind === incident.kind && incident.openedAt - o.openedAt <= windowMs;
    }
    const weight = incidentWeight(params, incident, repeat, now);
    load += weight;
    contributions.push({
      incidentId: incident.incidentId,
      kind: incident.kind,
      severity: incident.severity,
      state: incident.outcome ?? 'open',
      openedAt: incident.openedAt,
      repeat,
      weight,
    });
  }
  const t = tolerance(params, member.memberSince, member.visits12m, now);
  const state: HealthState = load >= t ? 'at_risk' : load >= params.fragileShare * t ? 'fragile' : 'ok';
  const named = contributions.filter((c) => c.weight >= NEGLIGIBLE).sort((a, b) => b.weight - a.weight || a.openedAt - b.openedAt);
  const heaviest = named[0];
  return {
    paramsVersion: params.version,
    state,
    load,
    tolerance: t,
    contributions: named,
    reason: reasonLine(named, timeZone),
    suggestedGesture:
      state === 'at_risk' && heaviest ? { severity: heaviest.severity, valueCents: params.gestureCentsBySeverity[(Math.min(5, Math.max(1, heaviest.severity)) - 1) as 0] } : null,
  };
}

const MONTHS_FR = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Building a formatter costs far more than using one: one per time zone, kept. */
const monthFormats = new Map<string, Intl.DateTimeFormat>();
/** When each local month began, by zone and month index (year × 12 + month): found once, then a lookup is two comparisons. */
const monthStarts = new Map<string, number>();
const SEARCH_MS = 15 * 3_600_000;

/** The local month index (year × 12 + month) at `at`: the slow way, through Intl. */
function monthIndexAt(at: number, timeZone: string): number {
  let format = monthFormats.get(timeZone);
  if (!format) monthFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric' })));
  let year = 0;
  let month = 0;
  for (const part of format.formatToParts(at)) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
  }
  return year * 12 + month - 1;
}

/** The instant local month `index` began in `timeZone`: every offset is within 15 h of UTC, so it lies within 15 h of the UTC month's start. */
function monthStart(index: number, timeZone: string): number {
  const key = `${timeZone}|${index}`;
  const known = monthStarts.get(key);
  if (known !== undefined) return known;
  const utc = Date.UTC(Math.floor(index / 12), index % 12, 1);
  let before = utc - SEARCH_MS;
  let from = utc + SEARCH_MS;
  while (from - before > 1) {
    const mid = Math.floor((before + from) / 2);
    if (monthIndexAt(mid, timeZone) >= index) from = mid;
    else before = mid;
  }
  monthStarts.set(key, from);
  return from;
}

/** The month (0–11) at `at` in `timeZone`; called at every lookup, so Intl runs only the first time a month is met. */
function monthOf(at: number, timeZone: string): number {
  const d = new Date(at);
  const utcIndex = d.getUTCFullYear() * 12 + d.getUTCMonth();
  const index = at >= monthStart(utcIndex + 1, timeZone) ? utcIndex + 1 : at >= monthStart(utcIndex, timeZone) ? utcIndex : utcIndex - 1;
  return ((index % 12) + 12) % 12;
}

/** One line for the cashier: what weighs, and since when (the research note's « two reasons at most » kept to one). */
export function reasonLine(contributions: readonly Contribution[], timeZone: string): HealthReason {
  const pending = contributions.filter((c) => c.state !== 'well_resolved' && c.state !== 'declined');
  const pick = pending.length > 0 ? pending : contributions;
  if (pick.length === 0) return { code: 'none', count: 0, since: null, fr: 'Aucun incident', en: 'No incidents' };
  const since = Math.min(...pick.map((c) => c.openedAt));
  const m = monthOf(since, timeZone);
  const n = pick.length;
  if (pending.length > 0) {
    const fr = `${n} incident${n > 1 ? 's' : ''} non résolu${n > 1 ? 's' : ''} depuis ${MONTHS_FR[m]}`;
    const en = `${n} unresolved incident${n > 1 ? 's' : ''} since ${MONTHS_EN[m]}`;
    return { code: 'unresolved', count: n, since, fr, en };
  }
  const fr = `${n} incident${n > 1 ? 's' : ''} récent${n > 1 ? 's' : ''}, bien résolu${n > 1 ? 's' : ''}, depuis ${MONTHS_FR[m]}`;
  const en = `${n} recent incident${n > 1 ? 's' : ''}, well resolved, since ${MONTHS_EN[m]}`;
  return { code: 'recent', count: n, since, fr, en };
}
