import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MemberSummary, SearchHit } from '../../src/shared/contract';
import { createCore, type Core } from '../../src/main/core/core';
import { openDatabase } from '../../src/main/core/db/database';
import { migrations } from '../../src/main/core/db/migrations';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { memberVaultFromKey, MemberVaultError } from '../../src/main/core/privacy/member-vault';
import { fileVault, vaultKeyPath } from '../../src/main/core/security/file-vault';
import { memberIntakeRecord } from '../../src/main/core/sync/member-outbox';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { testConfig } from '../fakes/known-members';

/**
 * Issue 17 item 5, the Show: a terminal's database file holds no member's
 * name, email or phone in clear, whichever way the member arrived (enrolled
 * on the customer screen, sent by HQ in a pull, or left in clear by an older
 * build), yet the till still finds them by a whole phone number, a whole
 * email and their name; and the file read with another key yields no name.
 */

const NOW = Date.UTC(2026, 11, 7, 10);
const ENROLLED = { firstName: 'Anaïs', lastName: 'Quillebeuf', email: 'Anais.Quillebeuf@Exemple.fr', phone: '06 71 23 45 98' };
const PULLED = { firstName: 'Gwendoline', lastName: 'Kerbrat-Ouzilleau', email: 'gwen.kerbrat@exemple.net', phone: '+33744556677' };
const GWEN_ID = '0193a5b2-7c00-7000-8000-00000000a001';
const LEGACY_ID = '0193a5b2-7c00-7000-8000-00000000a002';
const GWEN_CARD = makeCardNumber(9990, 41);
const LEGACY_CARD = makeCardNumber(9990, 42);
const LEGACY = { firstName: 'Théodore', lastName: 'Pignolet', email: 'theo.pignolet@exemple.org', phone: '+33688990011' };

let dir: string;
let core: Core | null = null;

afterEach(async () => {
  await core?.close();
  core = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function openCore(path: string, keyFile = vaultKeyPath(dir)): Core {
  return createCore({
    dbPath: path,
    config: testConfig(),
    shell: 'browser',
    clock: { now: () => NOW },
    random: seededRandom(3),
    logger: silentLogger,
    validateOutput: true,
    keyVault: fileVault({ path: keyFile, random: seededRandom(4) }),
  });
}

/** Every form a person's data could take in the file: as typed, folded, digits, E.164, in UTF-8, any case. */
function forms(p: { firstName: string; lastName: string; email: string; phone: string }): string[] {
  const digits = p.phone.replace(/\D/g, '');
  const national = digits.startsWith('33') ? `0${digits.slice(2)}` : digits;
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  return [p.firstName, p.lastName, fold(p.firstName), fold(p.lastName), p.email, p.email.split('@')[0]!, national, `+33${national.slice(1)}`, national.slice(1)];
}

/** The raw bytes of the database file and of its write-ahead log, lower-cased, as Latin-1 so any UTF-8 sequence survives as is. */
function rawFiles(path: string): string {
  return [path, `${path}-wal`, `${path}-journal`]
    .filter((p) => existsSync(p))
    .map((p) => readFileSync(p).toString('latin1').toLowerCase())
    .join('\n');
}

function expectNothingInClear(path: string, people: Array<Parameters<typeof forms>[0]>): void {
  const raw = rawFiles(path);
  expect(raw.length).toBeGreaterThan(4096);
  for (const p of people) {
    for (const form of forms(p)) {
      const needle = Buffer.from(form.toLowerCase(), 'utf8').toString('latin1');
      expect(raw.includes(needle), `« ${form} » found in clear in the database file`).toBe(false);
    }
  }
}

async function search(c: Core, query: string): Promise<SearchHit[]> {
  const result = await c.dispatch('cashier', 'member.search', { query, limit: 10 });
  if (!result.ok) throw new Error(result.error.message);
  return (result.value as { hits: SearchHit[] }).hits;
}

async function enrol(c: Core): Promise<MemberSummary> {
  expect((await c.dispatch('cashier', 'enrolment.start', {})).ok).toBe(true);
  const submitted = await c.dispatch('customer', 'enrolment.submit', {
    ...ENROLLED,
    consents: { marketing: true, personalisedOffers: false, profiling: false },
    consentWordingVersion: testConfig().consentWordingVersion,
    locale: 'fr',
  });
  if (!submitted.ok) throw new Error(submitted.error.message);
  return (submitted.value as { member: MemberSummary }).member;
}

function pull(c: Core): void {
  c.members.transaction(() =>
    c.members.upsertFromHq({ memberId: GWEN_ID, ...PULLED, locale: 'fr', cards: [GWEN_CARD], createdAt: Date.UTC(2025, 0, 2) }, NOW),
  );
}

describe("a terminal's database file", () => {
  it('holds no name, email or phone in clear for members enrolled here or pulled from HQ, and still finds them', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fidele-privacy-'));
    const path = join(dir, 'terminal.sqlite');
    core = openCore(path);
    const enrolled = await enrol(core);
    pull(core);
    // The screens see names and masked contact data.
    expect(enrolled).toMatchObject({ firstName: 'Anaïs', lastName: 'Quillebeuf', email: 'A***@exemple.fr', phone: '06 ** ** ** 98' });
    expect(core.members.summary(GWEN_ID)).toMatchObject({ firstName: 'Gwendoline', email: 'g***@exemple.net', phone: '07 ** ** ** 77' });
    // HQ has not had the enrolled member yet: their full contact waits for it, sealed.
    const intake = memberIntakeRecord(core.db, enrolled.id);
    expect(intake.ok && !intake.record.provisional && [intake.record.email, intake.record.phone]).toEqual(['Anais.Quillebeuf@exemple.fr', '+33671234598']);
    await core.close();
    core = null;
    expectNothingInClear(path, [ENROLLED, PULLED]);

    core = openCore(path);
    for (const query of ['0671234598', '06 71 23 45 98', '+33 6 71 23 45 98', 'anais.quillebeuf@exemple.fr', 'ANAIS.QUILLEBEUF@EXEMPLE.FR', 'quilleb', 'anais qui']) {
      expect((await search(core, query)).map((h) => h.id), query).toEqual([enrolled.id]);
    }
    for (const query of ['+33744556677', '07 44 55 66 77', 'gwen.kerbrat@exemple.net', 'kerbrat', 'ouzill gwen']) {
      expect((await search(core, query)).map((h) => h.id), query).toEqual([GWEN_ID]);
    }
    // Only whole: a part of a number or of an address is not kept to be matched.
    for (const query of ['067123', '4598', 'anais.quille', 'gwen.kerbrat@']) expect(await search(core, query), query).toEqual([]);
  });

  it('is read by nobody without its key: another key file or another key opens no name', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fidele-privacy-'));
    const path = join(dir, 'terminal.sqlite');
    core = openCore(path);
    const enrolled = await enrol(core);
    await core.close();
    core = null;
    expect(statSync(vaultKeyPath(dir)).mode & 0o777).toBe(0o600);

    // The database copied to another machine, with its own key file: refused, not read as garbage.
    expect(() => openCore(path, join(dir, 'elsewhere', 'terminal-vault.key'))).toThrow(/missing|does not open/);
    const db = openDatabase(path);
    try {
      const row = db.prepare<[string], { name_sealed: string; first_name: string; email: string | null }>('SELECT name_sealed, first_name, email FROM member WHERE id = ?').get(enrolled.id)!;
      expect(row.first_name).toBe('');
      expect(row.email).toBeNull();
      expect(() => memberVaultFromKey(randomBytes(32)).open(row.name_sealed)).toThrow(MemberVaultError);
      // The members key itself is stored sealed by the vault, never plain.
      expect(db.prepare<[], { sealed: string }>('SELECT sealed FROM privacy_key').get()!.sealed).toMatch(/^file-aes256gcm:/);
    } finally {
      db.close();
    }
  });

  it('protects at the upgrade what an older build kept in clear, in every table, and still finds and sends it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fidele-privacy-'));
    const path = join(dir, 'terminal.sqlite');
    // The store as the build before issue 17 wrote it: names, email and phone in clear, and their search words.
    const old = openDatabase(path, { migrations: migrations.filter((m) => m.version <= 19) });
    old.prepare(
      `INSERT INTO member (id, first_name, last_name, email, phone, locale, primary_card, created_at, created_by_terminal)
       VALUES (?, ?, ?, ?, ?, 'fr', ?, ?, 'test-t1')`,
    ).run(LEGACY_ID, LEGACY.firstName, LEGACY.lastName, LEGACY.email, LEGACY.phone, LEGACY_CARD, NOW);
    old.prepare('INSERT INTO member_card (card_number, member_id, issued_at) VALUES (?, ?, ?)').run(LEGACY_CARD, LEGACY_ID, NOW);
    old.prepare("INSERT INTO member_consent (member_id, purpose, granted, wording_version, recorded_at, source) VALUES (?, 'marketing', 1, '2026-11.fr-1', ?, 'test')").run(LEGACY_ID, NOW);
    const token = old.prepare("INSERT INTO member_search_token (kind, token, sort_key, member_id) VALUES (?, ?, 'pignolet theodore', ?)");
    for (const [kind, word] of [[1, 'pignolet'], [2, 'theodore'], [3, 'theo.pignolet@exemple.org'], [4, '0688990011'], [5, '1100998860'], [6, 'pignolet\u0001theodore']] as const) token.run(kind, word, LEGACY_ID);
    old.close();
    expect(rawFiles(path)).toContain('pignolet');

    core = openCore(path);
    // Still owed to HQ (the outbox row of migration 6): its full contact stays, sealed, until HQ acknowledges it.
    const intake = memberIntakeRecord(core.db, LEGACY_ID);
    expect(intake.ok && !intake.record.provisional && [intake.record.firstName, intake.record.email, intake.record.phone]).toEqual(['Théodore', LEGACY.email, LEGACY.phone]);
    core.db.prepare('DELETE FROM member_outbox WHERE member_id = ?').run(LEGACY_ID);
    expect(core.db.prepare('SELECT contact_sealed FROM member WHERE id = ?').get(LEGACY_ID)).toEqual({ contact_sealed: null });
    await core.close();
    core = null;
    expectNothingInClear(path, [LEGACY]);

    core = openCore(path);
    for (const query of ['06 88 99 00 11', 'theo.pignolet@exemple.org', 'pignolet', 'théo pig']) {
      expect((await search(core, query)).map((h) => h.id), query).toEqual([LEGACY_ID]);
    }
    expect(core.members.summary(LEGACY_ID)).toMatchObject({ firstName: 'Théodore', lastName: 'Pignolet', email: 't***@exemple.org', phone: '06 ** ** ** 11' });
    // A second start finds nothing left to convert and changes nothing.
    const before = JSON.stringify(core.db.prepare('SELECT * FROM member').all());
    new MemberStore(core.db, core.members.vault);
    expect(JSON.stringify(core.db.prepare('SELECT * FROM member').all())).toBe(before);
  });
});

describe('the lookup log', () => {
  it('records who looked up which member and when from the cashier screen, for the member to read', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fidele-privacy-'));
    core = openCore(join(dir, 'terminal.sqlite'));
    const enrolled = await enrol(core);
    await core.dispatch('cashier', 'session.clear', {});
    expect(core.lookups.of(enrolled.id)).toEqual([]);
    expect((await core.dispatch('cashier', 'member.identify', { code: enrolled.cardNumber, source: 'keyboard' })).ok).toBe(true);
    expect((await core.dispatch('cashier', 'member.get', { memberId: enrolled.id })).ok).toBe(true);
    expect((await core.dispatch('cashier', 'member.select', { memberId: enrolled.id })).ok).toBe(true);
    expect(core.lookups.of(enrolled.id)).toEqual([
      { at: NOW, by: 'cashier', via: 'select' },
      { at: NOW, by: 'cashier', via: 'record' },
      { at: NOW, by: 'cashier', via: 'identify' },
    ]);
    // A card nobody holds logs nothing about anybody.
    await core.dispatch('cashier', 'member.identify', { code: makeCardNumber(9990, 43), source: 'keyboard' });
    core.lookups.flush();
    expect(core.db.prepare('SELECT count(*) AS n FROM member_lookup_log').get()).toEqual({ n: 3 });
    // Written in batches (each commit is fsync'd): what waits at close is written then, not lost.
    await core.dispatch('cashier', 'member.identify', { code: enrolled.cardNumber, source: 'keyboard' });
    await core.close();
    core = openCore(join(dir, 'terminal.sqlite'));
    expect(core.lookups.of(enrolled.id)).toHaveLength(4);
  });
});
