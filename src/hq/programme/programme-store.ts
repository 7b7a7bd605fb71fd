import { nextChangeVersion, type HqContext } from '../context';
import type { Sql } from '../db';
import { publishProgram } from '../members';
import type { PublishedVersion } from '../../shared/programme/api';
import { DEFAULT_PROGRAMME_DOCUMENT } from '../../shared/programme/default-programme';
import { documentText, instantMs, programmeKey, rulesOf, type ProgrammeDocument, type SignedProgramme } from '../../shared/programme/document';
import { problem, validateProgramme, type Problem } from '../../shared/programme/validate';

/**
 * The programme's versions at HQ (issue 14 item 1): publish = validate, sign
 * with HQ's key, store; nothing is written when anything is wrong. A version
 * is never changed once published: the next one supersedes it from its
 * effective time. Terminals get the signed versions in force or to come in
 * the pull's `program` bucket (`programme:<version>`), and older terminals
 * the rules in force under the legacy `program` key.
 */

/** A version may start a little before HQ's clock reads it published (the time to click, a terminal's clock), no earlier. */
export const EFFECTIVE_GRACE_MS = 60_000;

export type { PublishedVersion, VersionSummary } from '../../shared/programme/api';

export type PublishOutcome = { ok: true; version: PublishedVersion; problems: Problem[] } | { ok: false; problems: Problem[] };

interface Row {
  version: string;
  document: ProgrammeDocument;
  effective_from: number;
  published_at: number;
  published_by: string;
  key_id: string;
  signature: string;
}

const COLUMNS = 'version, document, effective_from, published_at, published_by, key_id, signature';

function summaries(rows: readonly Row[], now: number): PublishedVersion[] {
  const current = rows.filter((r) => r.effective_from <= now).reduce<Row | null>((a, r) => (a === null || r.effective_from > a.effective_from ? r : a), null);
  return rows.map((r) => ({
    version: r.version,
    document: r.document,
    effectiveFrom: r.effective_from,
    publishedAt: r.published_at,
    publishedBy: r.published_by,
    keyId: r.key_id,
    signature: r.signature,
    status: r === current ? 'current' : r.effective_from > now ? 'future' : 'past',
  }));
}

/** Every version, the latest effective first. */
export async function programmeHistory(sql: Sql, now: number): Promise<PublishedVersion[]> {
  return summaries(await sql.query<Row>(`SELECT ${COLUMNS} FROM programme_version ORDER BY effective_from DESC`), now);
}

export async function programmeVersion(sql: Sql, version: string): Promise<PublishedVersion | null> {
  const rows = await sql.query<Row>(`SELECT ${COLUMNS} FROM programme_version WHERE version = $1`, [version]);
  return rows[0] ? summaries(rows, Number.POSITIVE_INFINITY)[0]! : null;
}

/** The version in force at `at`; null before the first publication (the default document applies). */
export async function programmeAt(sql: Sql, at: number): Promise<PublishedVersion | null> {
  const rows = await sql.query<Row>(`SELECT ${COLUMNS} FROM programme_version WHERE effective_from <= $1 ORDER BY effective_from DESC LIMIT 1`, [at]);
  return rows[0] ? { ...summaries(rows, at)[0]!, status: 'current' } : null;
}

/** The document in force, or the default one: what the editor starts from and the preview compares with. */
export async function documentInForce(sql: Sql, at: number): Promise<ProgrammeDocument> {
  return (await programmeAt(sql, at))?.document ?? DEFAULT_PROGRAMME_DOCUMENT;
}

export async function publishProgramme(ctx: HqContext, raw: unknown, by: string): Promise<PublishOutcome> {
  const check = validateProgramme(raw);
  if (!check.ok) return { ok: false, problems: check.problems };
  const document = check.document;
  const effectiveFrom = instantMs(document.effectiveFrom);
  return ctx.sql.transaction(async (tx) => {
    // One publication at a time: the order of effective times is checked against what is there.
    await tx.exec('LOCK TABLE programme_version IN EXCLUSIVE MODE');
    const now = ctx.clock.now();
    const problems: Problem[] = [];
    const same = await tx.query<{ version: string }>('SELECT version FROM programme_version WHERE version = $1', [document.version]);
    if (same.length > 0) problems.push(problem('version', 'programme.version_exists', { version: document.version }));
    const latest = await tx.query<{ version: string; effective_from: number }>('SELECT version, effective_from FROM programme_version ORDER BY effective_from DESC LIMIT 1');
    if (latest[0] && latest[0].effective_from >= effectiveFrom) {
      problems.push(problem('effectiveFrom', 'programme.effective_not_after', { version: latest[0].version, latest: new Date(latest[0].effective_from).toISOString() }));
    }
    if (effectiveFrom < now - EFFECTIVE_GRACE_MS) problems.push(problem('effectiveFrom', 'programme.effective_in_past', { now: new Date(now).toISOString() }));
    if (problems.length > 0) return { ok: false, problems: [...problems, ...check.problems] };

    const signature = ctx.key.sign({ document: documentText(document), publishedAt: now, keyId: ctx.key.keyId } satisfies Omit<SignedProgramme, 'signature'>);
    await tx.query(
      `INSERT INTO programme_version (version, document, effective_from, published_at, published_by, key_id, signature, change_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [document.version, JSON.stringify(document), effectiveFrom, now, by, ctx.key.keyId, signature, await nextChangeVersion(tx)],
    );
    const row: Row = { version: document.version, document, effective_from: effectiveFrom, published_at: now, published_by: by, key_id: ctx.key.keyId, signature };
    return { ok: true, version: summaries([row], now)[0]!, problems: check.problems };
  });
}

/** At HQ's start: the rules in force become ctx.rules (HQ's projector dates expiry with them), before they are installed as the legacy program. */
export async function adoptProgrammeInForce(ctx: HqContext): Promise<void> {
  const inForce = await programmeAt(ctx.sql, ctx.clock.now());
  if (inForce) ctx.rules = rulesOf(inForce.document);
}

/**
 * The rules in force under the legacy `program` key, which terminals from
 * before programme versions take at their next start. One read while they
 * are the same; run before each pull, so a version coming into force reaches
 * them (and ctx.rules).
 */
export async function refreshLegacyProgram(ctx: HqContext): Promise<void> {
  const rows = await ctx.sql.query<{ document: ProgrammeDocument }>(
    `SELECT v.document FROM (SELECT version, document FROM programme_version WHERE effective_from <= $1 ORDER BY effective_from DESC LIMIT 1) v
     WHERE v.version IS DISTINCT FROM (SELECT version FROM program WHERE program_id = 'default')`,
    [ctx.clock.now()],
  );
  if (!rows[0]) return;
  ctx.rules = rulesOf(rows[0].document);
  await publishProgram(ctx, ctx.rules);
}

/** The pull's programme puts: versions published after the terminal's cookie that are in force at `now` or to come. */
export async function programmePuts(tx: Sql, since: number, now: number): Promise<Array<{ key: string; value: SignedProgramme }>> {
  const rows = await tx.query<Row>(
    `SELECT ${COLUMNS} FROM programme_version
     WHERE change_version > $1 AND effective_from >= coalesce((SELECT max(effective_from) FROM programme_version WHERE effective_from <= $2), 0)
     ORDER BY effective_from`,
    [since, now],
  );
  return rows.map((r) => ({ key: programmeKey(r.version), value: { document: documentText(r.document), publishedAt: r.published_at, keyId: r.key_id, signature: r.signature } }));
}
