import { z } from 'zod';
import type { Db } from '../db/database';
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

/** Inside the pull's transaction. A version never changes: one already here is kept as it is. */
export function storeProgrammeVersions(db: Db, versions: readonly ProgrammeVersion[], now: number): void {
  const insert = db.prepare(
    `INSERT INTO programme_version (version, effective_from, document, published_at, key_id, signature, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  for (const v of versions) insert.run(v.version, v.effectiveFrom, v.document, v.publishedAt, v.keyId, v.signature, now);
}

/** The rules in force at `at` among the stored versions; null before the first one (the ledger's own rules apply). */
export function programmeRulesAt(db: Db): (at: number) => ProgramRules | null {
  const inForce = db.prepare<[number], { version: string }>('SELECT version FROM programme_version WHERE effective_from <= ? ORDER BY effective_from DESC LIMIT 1');
  const documentOf = db.prepare<[string], { document: string }>('SELECT document FROM programme_version WHERE version = ?');
  // Parsed once per version: a sale asks several times, and versions never change.
  const parsed = new Map<string, ProgramRules>();
  return (at) => {
    const row = inForce.get(at);
    if (!row) return null;
    let rules = parsed.get(row.version);
    if (!rules) {
      rules = rulesOfDocument(JSON.parse(documentOf.get(row.version)!.document) as unknown);
      parsed.set(row.version, rules);
    }
    return rules;
  };
}

/**
 * One part of the document in force at `at` (offers, contact caps, …), read by the feature that needs it and
 * parsed once per version, since versions never change; `before` until the first version arrives.
 */
export function programmeSectionAt<T>(db: Db, section: (document: Record<string, unknown>, version: string) => T, before: T): (at: number) => T {
  const inForce = db.prepare<[number], { version: string; document: string }>(
    'SELECT version, document FROM programme_version WHERE effective_from <= ? ORDER BY effective_from DESC LIMIT 1',
  );
  const parsed = new Map<string, T>();
  return (at) => {
    const row = inForce.get(at);
    if (!row) return before;
    if (!parsed.has(row.version)) parsed.set(row.version, section(JSON.parse(row.document) as Record<string, unknown>, row.version));
    return parsed.get(row.version)!;
  };
}
