import { createHash } from 'node:crypto';
import { AppVersion, compareVersions, type ReleaseChannel } from '../../shared/updates/release';
import { MaintenanceWindow } from '../../shared/updates/directive';
import type { RolloutStatus } from '../../shared/updates/releases-overview';
import { HqError, newId, type HqContext } from '../context';
import type { Sql } from '../db';
import { auditIt } from './it-audit';
import { findRelease, RELEASE_COLUMNS, releaseRows, type ReleaseRow } from './releases';
import { updatesChanged } from './service';

/**
 * Who gets which release (issue 13 §3). Stores belong to cohorts (« pilot »
 * puts a store's terminals on the pilot channel); a rollout offers one
 * release to chosen stores and/or cohorts, and within them to `percent` of
 * the terminals, picked by a hash of terminal id and version — the same
 * terminals every time, a different slice for each version. The newest
 * rollout that reaches a terminal gives its target. A paused rollout is
 * offered to no new terminal; those it already reached keep it (rollout_offer).
 */
export const PILOT_COHORT = 'pilot';
/** The version before any minimum was set: every build there is is at least this. */
export const FIRST_APP_VERSION = '0.1.0';

const STORE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const COHORT = /^[a-z0-9][a-z0-9-]{0,31}$/;

export type { RolloutStatus };

export interface RolloutRow {
  rollout_id: string;
  version: string;
  stores: string[];
  cohorts: string[];
  percent: number;
  status: RolloutStatus;
  created_at: number;
  created_by: string;
  updated_at: number;
}

/** 0 ≤ bucket < 100, fixed for a (terminal, version): the terminal is in the rollout when bucket < percent. */
export function rolloutBucket(terminalId: string, version: string): number {
  const h = createHash('sha256').update(`${terminalId}|${version}`).digest();
  return (h.readUInt32BE(0) / 0x1_0000_0000) * 100;
}

export function channelOfCohort(cohort: string | null): ReleaseChannel {
  return cohort === PILOT_COHORT ? 'pilot' : 'stable';
}

function checkStore(id: string): void {
  if (!STORE_ID.test(id)) throw new HqError('malformed', 400, `store « ${id} »: lowercase letters, digits and dashes`);
}

function checkCohort(c: string): void {
  if (!COHORT.test(c)) throw new HqError('malformed', 400, `cohort « ${c} »: lowercase letters, digits and dashes, 32 at most`);
}

function checkPercent(p: unknown): number {
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 100) throw new HqError('malformed', 400, 'percent: a whole number from 0 to 100');
  return p;
}

// ————— cohorts, windows, minimum version —————

export async function setStoreCohort(ctx: HqContext, storeId: string, cohort: string | null, by: string): Promise<{ storeId: string; cohort: string | null }> {
  checkStore(storeId);
  if (cohort !== null) checkCohort(cohort);
  await ctx.sql.transaction(async (tx) => {
    if (cohort === null) await tx.query('DELETE FROM store_cohort WHERE store_id = $1', [storeId]);
    else {
      await tx.query(
        'INSERT INTO store_cohort (store_id, cohort, updated_at) VALUES ($1, $2, $3) ON CONFLICT (store_id) DO UPDATE SET cohort = EXCLUDED.cohort, updated_at = EXCLUDED.updated_at',
        [storeId, cohort, ctx.clock.now()],
      );
    }
    await auditIt(ctx, tx, 'cohort', by, cohort === null ? `store ${storeId} left its cohort` : `store ${storeId} in cohort ${cohort}`, { storeId, cohort });
  });
  updatesChanged(ctx);
  return { storeId, cohort };
}

export async function setMaintenanceWindow(ctx: HqContext, storeId: string, window: unknown, by: string): Promise<{ storeId: string; window: MaintenanceWindow | null }> {
  checkStore(storeId);
  if (window === null) {
    await ctx.sql.transaction(async (tx) => {
      await tx.query('DELETE FROM store_update_window WHERE store_id = $1', [storeId]);
      await auditIt(ctx, tx, 'window', by, `store ${storeId}: no maintenance window`, { storeId });
    });
    return { storeId, window: null };
  }
  const parsed = MaintenanceWindow.safeParse(window);
  if (!parsed.success) throw new HqError('malformed', 400, `maintenance window: start and end as HH:MM (24 h), and a time zone (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  const w = parsed.data;
  if (w.start === w.end) throw new HqError('malformed', 400, 'maintenance window: start and end must differ');
  try {
    new Intl.DateTimeFormat('en', { timeZone: w.timeZone });
  } catch {
    throw new HqError('malformed', 400, `time zone « ${w.timeZone} » is unknown (e.g. Europe/Paris)`);
  }
  await ctx.sql.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO store_update_window (store_id, start_hhmm, end_hhmm, time_zone, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (store_id) DO UPDATE SET start_hhmm = EXCLUDED.start_hhmm, end_hhmm = EXCLUDED.end_hhmm, time_zone = EXCLUDED.time_zone, updated_at = EXCLUDED.updated_at`,
      [storeId, w.start, w.end, w.timeZone, ctx.clock.now()],
    );
    await auditIt(ctx, tx, 'window', by, `store ${storeId}: maintenance window ${w.start}–${w.end} ${w.timeZone}`, { storeId, ...w });
  });
  return { storeId, window: w };
}

export async function minAppVersion(sql: Sql): Promise<string> {
  const rows = await sql.query<{ value: string }>("SELECT value FROM update_setting WHERE name = 'min_app_version'");
  return rows[0]?.value ?? FIRST_APP_VERSION;
}

export async function setMinAppVersion(ctx: HqContext, version: string, by: string): Promise<{ minAppVersion: string }> {
  if (!AppVersion.safeParse(version).success) throw new HqError('malformed', 400, `version « ${version} » is not major.minor.patch[-prerelease]`);
  // A minimum no release satisfies would force terminals to wait for nothing: it must name a published version or lower.
  const published = await ctx.sql.query<{ version: string }>('SELECT version FROM app_release');
  if (compareVersions(version, FIRST_APP_VERSION) > 0 && !published.some((r) => compareVersions(r.version, version) >= 0)) {
    throw new HqError('conflict', 409, `no published release is ${version} or later: publish it first`);
  }
  await ctx.sql.transaction(async (tx) => {
    await tx.query(
      "INSERT INTO update_setting (name, value, updated_at) VALUES ('min_app_version', $1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at",
      [version, ctx.clock.now()],
    );
    await auditIt(ctx, tx, 'min_version', by, `minimum application version ${version}`, { version });
  });
  updatesChanged(ctx);
  return { minAppVersion: version };
}

// ————— rollouts —————

export interface RolloutSpec {
  version: string;
  stores?: string[];
  cohorts?: string[];
  percent: number;
}

const ROLLOUT_COLUMNS = 'rollout_id, version, stores, cohorts, percent, status, created_at, created_by, updated_at';

export async function findRollout(sql: Sql, rolloutId: string): Promise<RolloutRow> {
  const row = (await sql.query<RolloutRow>(`SELECT ${ROLLOUT_COLUMNS} FROM rollout WHERE rollout_id = $1`, [rolloutId]))[0];
  if (!row) throw new HqError('not_found', 404, `no rollout ${rolloutId}`);
  return row;
}

function checkScope(stores: unknown, cohorts: unknown): { stores: string[]; cohorts: string[] } {
  const list = (v: unknown, what: string): string[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.length > 500 || !v.every((x) => typeof x === 'string')) throw new HqError('malformed', 400, `${what}: a list of ids`);
    return [...new Set(v as string[])];
  };
  const s = list(stores, 'stores');
  const c = list(cohorts, 'cohorts');
  s.forEach(checkStore);
  c.forEach(checkCohort);
  return { stores: s, cohorts: c };
}

export async function createRollout(ctx: HqContext, spec: RolloutSpec, by: string): Promise<RolloutRow> {
  const scope = checkScope(spec.stores, spec.cohorts);
  const percent = checkPercent(spec.percent);
  if (scope.stores.length === 0 && scope.cohorts.length === 0) throw new HqError('malformed', 400, 'a rollout names stores or cohorts (--stores a,b / --cohorts pilot)');
  const release = await findRelease(ctx.sql, String(spec.version));
  if (!release) throw new HqError('not_found', 404, `no release ${String(spec.version)}: publish it first`);
  const now = ctx.clock.now();
  const row: RolloutRow = { rollout_id: newId(ctx), version: release.version, ...scope, percent, status: 'active', created_at: now, created_by: by, updated_at: now };
  await ctx.sql.transaction(async (tx) => {
    await tx.query(`INSERT INTO rollout (${ROLLOUT_COLUMNS}, rank) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, (SELECT coalesce(max(rank), 0) + 1 FROM rollout))`, [
      row.rollout_id,
      row.version,
      row.stores,
      row.cohorts,
      row.percent,
      row.status,
      row.created_at,
      row.created_by,
      row.updated_at,
    ]);
    await auditIt(ctx, tx, 'rollout', by, `rollout of ${row.version} to ${describeScope(row)} at ${percent} %`, { rolloutId: row.rollout_id, version: row.version, ...scope, percent });
  });
  updatesChanged(ctx);
  return row;
}

function describeScope(r: Pick<RolloutRow, 'stores' | 'cohorts'>): string {
  return [...r.stores.map((s) => `store ${s}`), ...r.cohorts.map((c) => `cohort ${c}`)].join(', ');
}

export async function setRolloutStatus(ctx: HqContext, rolloutId: string, status: RolloutStatus, by: string): Promise<RolloutRow> {
  const row = await ctx.sql.transaction(async (tx) => {
    const row = await findRollout(tx, rolloutId);
    if (row.status === status) return row;
    await tx.query('UPDATE rollout SET status = $2, updated_at = $3 WHERE rollout_id = $1', [rolloutId, status, ctx.clock.now()]);
    await auditIt(ctx, tx, status === 'paused' ? 'paused' : 'resumed', by, `rollout of ${row.version} ${status === 'paused' ? 'paused' : 'resumed'}`, { rolloutId, version: row.version });
    return { ...row, status, updated_at: ctx.clock.now() };
  });
  updatesChanged(ctx);
  return row;
}

/** Widening only: a higher percentage, more stores or cohorts. Narrowing is a pause (terminals already offered keep the release anyway). */
export async function widenRollout(ctx: HqContext, rolloutId: string, change: { percent?: unknown; stores?: unknown; cohorts?: unknown }, by: string): Promise<RolloutRow> {
  const added = checkScope(change.stores, change.cohorts);
  const widened = await ctx.sql.transaction(async (tx) => {
    const row = await findRollout(tx, rolloutId);
    const percent = change.percent === undefined ? row.percent : checkPercent(change.percent);
    if (percent < row.percent) throw new HqError('malformed', 400, `rollout at ${row.percent} %: widening cannot lower it to ${percent} % (pause the rollout instead)`);
    const stores = [...new Set([...row.stores, ...added.stores])];
    const cohorts = [...new Set([...row.cohorts, ...added.cohorts])];
    await tx.query('UPDATE rollout SET percent = $2, stores = $3, cohorts = $4, updated_at = $5 WHERE rollout_id = $1', [rolloutId, percent, stores, cohorts, ctx.clock.now()]);
    const next = { ...row, percent, stores, cohorts, updated_at: ctx.clock.now() };
    await auditIt(ctx, tx, 'widened', by, `rollout of ${row.version} widened to ${describeScope(next)} at ${percent} %`, { rolloutId, version: row.version, stores, cohorts, percent });
    return next;
  });
  updatesChanged(ctx);
  return widened;
}

export async function listRollouts(sql: Sql): Promise<RolloutRow[]> {
  return sql.query<RolloutRow>(`SELECT ${ROLLOUT_COLUMNS} FROM rollout ORDER BY rank DESC`);
}

// ————— the target of one terminal —————

export interface TerminalPlace {
  terminalId: string;
  storeId: string;
  cohort: string | null;
  channel: ReleaseChannel;
}

/** Whether a rollout reaches a terminal now, without counting a past offer. */
export function rolloutCovers(r: Pick<RolloutRow, 'stores' | 'cohorts' | 'percent' | 'version'>, release: Pick<ReleaseRow, 'channel'>, t: TerminalPlace): boolean {
  const inScope = r.stores.includes(t.storeId) || (t.cohort !== null && r.cohorts.includes(t.cohort));
  // A pilot build goes to pilot terminals only, whatever the rollout names.
  const channelOk = release.channel === 'stable' || t.channel === 'pilot';
  return inScope && channelOk && rolloutBucket(t.terminalId, r.version) < r.percent;
}

export async function terminalPlace(sql: Sql, terminalId: string): Promise<(TerminalPlace & { status: string; appVersion: string }) | null> {
  const rows = await sql.query<{ terminal_id: string; store_id: string; status: string; app_version: string; cohort: string | null }>(
    `SELECT t.terminal_id, t.store_id, t.status, t.app_version, c.cohort FROM terminal t LEFT JOIN store_cohort c ON c.store_id = t.store_id WHERE t.terminal_id = $1`,
    [terminalId],
  );
  const r = rows[0];
  if (!r) return null;
  return { terminalId: r.terminal_id, storeId: r.store_id, cohort: r.cohort, channel: channelOfCohort(r.cohort), status: r.status, appVersion: r.app_version };
}

/** A rollout and the release it offers. */
export interface RolloutCandidate {
  rollout: RolloutRow;
  release: ReleaseRow;
}

/** Every rollout with its release, newest first: the order in which they claim a terminal. */
export async function rolloutCandidates(sql: Sql): Promise<RolloutCandidate[]> {
  const rows = await sql.query<RolloutRow & ReleaseRow>(
    `SELECT r.rollout_id, r.stores, r.cohorts, r.percent, r.status, r.created_at, r.created_by, r.updated_at, ${RELEASE_COLUMNS.split(', ')
      .map((c) => `a.${c}`)
      .join(', ')}
     FROM rollout r JOIN app_release a ON a.version = r.version ORDER BY r.rank DESC`,
  );
  return rows.map((r) => {
    const { rollout_id, stores, cohorts, percent, status, created_at, created_by, updated_at, ...release } = r;
    return { rollout: { rollout_id, version: r.version, stores, cohorts, percent, status, created_at, created_by, updated_at }, release };
  });
}

/**
 * The release a terminal should run: the newest rollout that reaches it —
 * active and covering it, or having offered it before, paused or not.
 */
export function chooseTarget(candidates: readonly RolloutCandidate[], offered: (rolloutId: string) => boolean, place: TerminalPlace): RolloutCandidate | null {
  return candidates.find((c) => offered(c.rollout.rollout_id) || (c.rollout.status === 'active' && rolloutCovers(c.rollout, c.release, place))) ?? null;
}

/**
 * A terminal below HQ's minimum version must be able to reach it even when
 * no rollout names it: the lowest release at or above the minimum on its
 * channel (the least change that satisfies it). Null when the terminal is
 * not below the minimum, or reports no version HQ can compare.
 */
export function forcedRelease(releases: readonly ReleaseRow[], min: string, place: TerminalPlace, installed: string): ReleaseRow | null {
  if (!AppVersion.safeParse(installed).success || compareVersions(installed, min) >= 0) return null;
  const fit = releases.filter((r) => (r.channel === 'stable' || place.channel === 'pilot') && compareVersions(r.version, min) >= 0);
  return fit.sort((a, b) => compareVersions(a.version, b.version))[0] ?? null;
}

export interface Target {
  release: ReleaseRow;
  /** The rollout that gives it; null for a release given because the terminal is below the minimum version. */
  rolloutId: string | null;
}

/** The rollout's target, unless it leaves a terminal below the minimum version: then the release that lifts it there. */
export function resolveTarget(rollout: RolloutCandidate | null, releases: readonly ReleaseRow[], min: string, place: TerminalPlace, installed: string): Target | null {
  const forced = forcedRelease(releases, min, place, installed);
  if (forced && (!rollout || compareVersions(rollout.release.version, min) < 0)) return { release: forced, rolloutId: null };
  return rollout ? { release: rollout.release, rolloutId: rollout.rollout.rollout_id } : null;
}

/** Remembers that a rollout offered its release to a terminal: a later pause keeps it there. */
export async function recordOffer(ctx: HqContext, terminalId: string, rolloutId: string): Promise<void> {
  await ctx.sql.query('INSERT INTO rollout_offer (terminal_id, rollout_id, offered_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [terminalId, rolloutId, ctx.clock.now()]);
}

/** The terminal's target, read from the database (the pull), the offer recorded. */
export async function targetOf(ctx: HqContext, place: TerminalPlace, installed: string): Promise<Target | null> {
  const candidates = await rolloutCandidates(ctx.sql);
  const offers = await ctx.sql.query<{ rollout_id: string }>('SELECT rollout_id FROM rollout_offer WHERE terminal_id = $1', [place.terminalId]);
  const offered = new Set(offers.map((o) => o.rollout_id));
  const chosen = chooseTarget(candidates, (id) => offered.has(id), place);
  if (chosen && !offered.has(chosen.rollout.rollout_id)) {
    await recordOffer(ctx, place.terminalId, chosen.rollout.rollout_id);
    updatesChanged(ctx);
  }
  return resolveTarget(chosen, await releaseRows(ctx.sql), await minAppVersion(ctx.sql), place, installed);
}

export async function maintenanceWindowOf(sql: Sql, storeId: string): Promise<MaintenanceWindow | null> {
  const rows = await sql.query<{ start_hhmm: string; end_hhmm: string; time_zone: string }>('SELECT start_hhmm, end_hhmm, time_zone FROM store_update_window WHERE store_id = $1', [storeId]);
  const r = rows[0];
  return r ? { start: r.start_hhmm, end: r.end_hhmm, timeZone: r.time_zone } : null;
}
