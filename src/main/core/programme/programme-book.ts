import { z } from 'zod';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';
import { perConnection } from '../db/per-connection';
import { verifySigned } from '../sync/signing';
import { Instant, instantMs, PROGRAMME_KEY_PREFIX, programmeKey, SignedProgramme } from '../../../shared/programme/document';
import { parseProgramRules, PROGRAM_RULES_KEYS, type ProgramRules } from '../../../shared/programme/rules-schema';

/**
 * The programme's versions on the terminal (issue 14 item 1): HQ sends each
 * version signed with its key, in force or to come; the terminal keeps those
 * whose signature is HQ's and prices each sale with the one in force at the
 * sale's time (`rulesAt`), so a version sent ahead applies offline at its
 * effective time. A bad signature refuses the whole pull (sync/pull.ts), as a
 * bad allowance does: what the terminal has stays.
 *
 * Only what the ledger applies is checked here (the version, its effective
 * time, the earning rules): HQ validated the whole document before signing
 * it, and a newer HQ may add parts this terminal does not read yet.
 */
export interface ProgrammeVersion {
  version: string;
  effectiveFrom: number;
  /** As signed: the text HQ sent. */
  document: string;
  publishedAt: number;
  keyId: string;
  signature: string;
}

const Head = z.looseObject({ version: z.string(), effectiveFrom: Instant });

export const isProgrammeKey = (bucket: string, key: string) => bucket === 'program' && key.startsWith(PROGRAMME_KEY_PREFIX);

/** The earning rules a document carries, checked as the ledger checks them. */
export function rulesOfDocument(document: unknown): ProgramRules {
  const raw = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>;
  return parseProgramRules(Object.fromEntries(PROGRAM_RULES_KEYS.filter((k) => raw[k] !== undefined).map((k) => [k, raw[k]])));
}

export type ProgrammeCheck = { ok: true; version: ProgrammeVersion } | { ok: false; code: 'bad_signature' | 'invalid'; message: string };

/** One `programme:<version>` put: HQ's signature first, then the content. Never throws. */
export function checkProgrammePut(key: string, value: unknown, hq: { hqKeyId: string; hqPublicKey: string }): ProgrammeCheck {
  const signed = SignedProgramme.safeParse(value);
  if (!signed.success) return { ok: false, code: 'invalid', message: `${key} is not a signed programme` };
  if (signed.data.keyId !== hq.hqKeyId || !verifySigned(hq.hqPublicKey, signed.data)) {
    return { ok: false, code: 'bad_signature', message: `programme ${key} is not signed by the enrolled HQ key` };
  }
  let document: unknown;
  try {
    document = JSON.parse(signed.data.document);
  } catch {
    return { ok: false, code: 'invalid', message: `${key} is not JSON` };
  }
  const head = Head.safeParse(document);
  if (!head.success || key !== programmeKey(head.data.version)) return { ok: false, code: 'invalid', message: `${key} does not carry its own version and effective time` };
  try {
    rulesOfDocument(document);
  } catch (error) {
    return { ok: false, code: 'invalid', message: `programme ${head.data.version}: ${error instanceof Error ? error.message : String(error)}` };
  }
  return { ok: true, version: { version: head.data.version, effectiveFrom: instantMs(head.data.effectiveFrom), ...signed.data } };
}

/**
 * The versions a terminal holds, by effective time, in memory: the sale path, the offers, the benefits and
 * the social policy each ask which version is in force several times a sale, and a version never changes, so
 * only storing new ones (the pull) makes the list stale. It is read again, lazily, after that: a pull whose
 * transaction rolled back leaves the list as the database has it.
 */
class VersionIndex {
  private list: Array<{ version: string; effectiveFrom: number }> | null = null;
  private readonly documents = new Map<string, string>();
  private readonly all: Statement<[], { version: string; effective_from: number }>;
  private readonly documentOf: Statement<[string], { document: string }>;

  constructor(db: Db) {
    this.all = db.prepare('SELECT version, effective_from FROM programme_version ORDER BY effective_from, version');
    this.documentOf = db.prepare('SELECT document FROM programme_version WHERE version = ?');
  }

  stale(): void {
    this.list = null;
  }

  /** The version in force at `at` (the latest effective by then), or null before the first. */
  inForce(at: number): { version: string; document: () => string } | null {
    this.list ??= this.all.all().map((r) => ({ version: r.version, effectiveFrom: r.effective_from }));
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.list[mid]!.effectiveFrom <= at) lo = mid + 1;
      else hi = mid;
    }
    const found = lo === 0 ? undefined : this.list[lo - 1];
    if (!found) return null;
    return { version: found.version, document: () => this.document(found.version) };
  }

  private document(version: string): string {
    let text = this.documents.get(version);
    if (text === undefined) {
      text = this.documentOf.get(version)!.document;
      this.documents.set(version, text);
    }
    return text;
  }
}

const versionIndex = perConnection((db: Db) => new VersionIndex(db));

/** Inside the pull's transaction. A version never changes: one already here is kept as it is. */
export function storeProgrammeVersions(db: Db, versions: readonly ProgrammeVersion[], now: number): void {
  const insert = db.prepare(
    `INSERT INTO programme_version (version, effective_from, document, published_at, key_id, signature, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  for (const v of versions) insert.run(v.version, v.effectiveFrom, v.document, v.publishedAt, v.keyId, v.signature, now);
  if (versions.length > 0) versionIndex(db).stale();
}

/** The rules in force at `at` among the stored versions; null before the first one (the ledger's own rules apply). */
export function programmeRulesAt(db: Db): (at: number) => ProgramRules | null {
  return programmeSectionAt(db, (document) => rulesOfDocument(document), null);
}

/**
 * One part of the document in force at `at` (the rules, offers, benefits, …), read by the feature that
 * needs it and parsed once per version, since versions never change; `before` until the first version.
 */
export function programmeSectionAt<T>(db: Db, section: (document: Record<string, unknown>, version: string) => T, before: T): (at: number) => T {
  const index = versionIndex(db);
  const parsed = new Map<string, T>();
  return (at) => {
    const found = index.inForce(at);
    if (!found) return before;
    if (!parsed.has(found.version)) parsed.set(found.version, section(JSON.parse(found.document()) as Record<string, unknown>, found.version));
    return parsed.get(found.version)!;
  };
}
