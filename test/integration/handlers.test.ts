import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventName, MethodName, Result, Role, SessionState } from '../../src/shared/contract';
import { checkCardNumber, makeCardNumber, walletQrPayload } from '../../src/shared/domain/card-number';
import { createCore, SIMULATED_SCANNER_ID, type Core } from '../../src/main/core/core';
import { DEFAULT_PROGRAM } from '../../src/main/core/ledger/program.default';
import { openDatabase, schemaVersion, LATEST_SCHEMA_VERSION, SchemaTooNewError } from '../../src/main/core/db/database';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { DUPLICATE_SCAN_MS } from '../../src/main/core/session/scan-router';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';

let dir: string;
let core: Core;
let known: KnownMembers;
let now: number;
let events: Array<{ name: EventName; payload: unknown }>;

const form = (overrides: Record<string, unknown> = {}) => ({
  firstName: 'Éloïse',
  lastName: 'Le Bœuf-Dürr',
  email: 'eloise@example.com',
  phone: '06 11 22 33 44',
  consents: { marketing: true, personalisedOffers: false, profiling: false },
  consentWordingVersion: '2026-11.fr-1',
  locale: 'fr',
  ...overrides,
});

async function call(role: Role, method: MethodName | string, input: unknown): Promise<Result<unknown>> {
  return core.dispatch(role, method, input);
}

async function ok<T = unknown>(role: Role, method: MethodName, input: unknown): Promise<T> {
  const result = await call(role, method, input);
  if (!result.ok) throw new Error(`${method} failed: ${JSON.stringify(result.error)}`);
  return result.value as T;
}

function dbSnapshot(): string {
  const tables = ['member', 'member_card', 'member_consent', 'member_search_token', 'card_serial'];
  return JSON.stringify(tables.map((t) => core.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()));
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-handlers-'));
  now = Date.UTC(2026, 10, 22, 9);
  core = createCore({
    dbPath: join(dir, 'terminal.sqlite'),
    config: testConfig(),
    shell: 'browser',
    clock: { now: () => now },
    random: seededRandom(1),
    logger: silentLogger,
    validateOutput: true,
  });
  await core.start();
  known = insertKnownMembers(core.members);
  events = [];
  core.bus.subscribe((name, payload) => events.push({ name, payload }));
});

afterEach(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('local store', () => {
  it('opens in WAL with synchronous=FULL and the latest schema', () => {
    expect(core.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(core.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(core.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(schemaVersion(core.db)).toBe(LATEST_SCHEMA_VERSION);
  });

  it('applies all pending migrations or none', () => {
    const path = join(dir, 'broken.sqlite');
    const broken = [
      { version: 1, name: 'ok', sql: 'CREATE TABLE a (x INTEGER) STRICT;' },
      { version: 2, name: 'fails', sql: 'CREATE TABLE b (x INTEGER) STRICT; INSERT INTO nowhere VALUES (1);' },
    ];
    expect(() => openDatabase(path, { migrations: broken })).toThrow(/nowhere/);
    const db = openDatabase(path, { migrations: [broken[0]!] });
    expect(schemaVersion(db)).toBe(1);
    db.close();
  });

  it('starts the ledger on the program HQ sent in the last pull', async () => {
    expect(core.ledger.rules.version).toBe(DEFAULT_PROGRAM.version);
    const pulled = { ...DEFAULT_PROGRAM, version: 'fr-2027.1', earn: { ...DEFAULT_PROGRAM.earn, points: 2 } };
    core.db.prepare("INSERT INTO sync_state (key, value) VALUES ('program_rules', ?)").run(JSON.stringify(pulled));
    await core.close();
    core = createCore({ dbPath: join(dir, 'terminal.sqlite'), config: testConfig(), shell: 'browser', clock: { now: () => now }, random: seededRandom(2), logger: silentLogger });
    expect(core.ledger.rules.version).toBe('fr-2027.1');
    expect(core.ledger.rules.earn.points).toBe(2);
  });

  it('refuses a database from a newer build', () => {
    const path = join(dir, 'newer.sqlite');
    const db = openDatabase(path);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(path)).toThrow(SchemaTooNewError);
  });
});

describe('identify', () => {
  it('finds a member by card and greets them on the customer screen', async () => {
    const result = await ok('cashier', 'member.identify', { code: known.claire.cardNumber, source: 'keyboard' });
    expect(result).toEqual({ kind: 'member', via: 'card', member: known.claire });
    const session = await ok<SessionState>('customer', 'session.get', {});
    expect(session).toMatchObject({ phase: 'identified', greeting: { firstName: 'Claire', cardNumber: known.claire.cardNumber } });
    expect(events.some((e) => e.name === 'session.changed')).toBe(true);
  });

  it('finds a member by the QR of their wallet pass', async () => {
    const result = await ok('cashier', 'member.identify', { code: walletQrPayload(known.helene.cardNumber), source: 'scan' });
    expect(result).toMatchObject({ kind: 'member', via: 'wallet_qr', member: { id: known.helene.id } });
  });

  it('tells an unknown card from an invalid one, and stores nothing', async () => {
    const before = dbSnapshot();
    const unknown = makeCardNumber(9998, 1);
    expect(await ok('cashier', 'member.identify', { code: unknown, source: 'keyboard' })).toEqual({ kind: 'unknown_card', cardNumber: unknown });
    const wrong = unknown.slice(0, 12) + String((Number(unknown[12]) + 1) % 10);
    expect(await ok('cashier', 'member.identify', { code: wrong, source: 'keyboard' })).toEqual({ kind: 'invalid', problem: 'check_digit' });
    expect(await ok('cashier', 'member.identify', { code: "' OR 1=1 --", source: 'keyboard' })).toEqual({ kind: 'invalid', problem: 'not_digits' });
    expect(dbSnapshot()).toBe(before);
    expect((await ok<SessionState>('cashier', 'session.get', {})).phase).toBe('idle');
  });
});

describe('roles and bad input', () => {
  it('refuses a method the role may not call', async () => {
    const result = await call('customer', 'member.search', { query: 'cla' });
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call('simulator', 'member.identify', { code: known.claire.cardNumber, source: 'scan' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('refuses unknown methods and roles', async () => {
    expect(await call('cashier', 'member.delete', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(await call('admin' as Role, 'session.get', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call('cashier', '__proto__', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
  });

  it.each([
    ['member.identify', { code: '', source: 'keyboard' }],
    ['member.identify', { code: 'x'.repeat(513), source: 'keyboard' }],
    ['member.identify', { code: '123', source: 'telepathy' }],
    ['member.identify', { code: '123', source: 'keyboard', extra: 1 }],
    ['member.search', { query: 'x'.repeat(101) }],
    ['member.search', { query: 'cla\u0007' }],
    ['member.search', { query: 'cla', limit: 1000 }],
    ['member.get', { memberId: "1' OR '1'='1" }],
    ['member.get', null],
    ['enrolment.start', { presetCardNumber: '0400000000000' }],
  ])('%s refuses %j with bad_input', async (method, input) => {
    const result = await call('cashier', method, input);
    expect(result).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });
});

describe('enrolment', () => {
  it('enrols a member with a new card, consents as chosen, and shows the card on the customer screen', async () => {
    await ok('customer', 'enrolment.start', { presetCardNumber: null });
    const enrolled = await ok<{ member: { id: string; cardNumber: string; phone: string }; walletQr: string }>(
      'customer',
      'enrolment.submit',
      form(),
    );
    expect(enrolled.member).toMatchObject({ firstName: 'Éloïse', lastName: 'Le Bœuf-Dürr', phone: '06 ** ** ** 44', memberSince: now });
    expect(checkCardNumber(enrolled.member.cardNumber)).toEqual({ ok: true, cardNumber: enrolled.member.cardNumber });
    expect(enrolled.member.cardNumber.slice(2, 6)).toBe('0042');
    expect(enrolled.walletQr).toBe(walletQrPayload(enrolled.member.cardNumber));
    const detail = await ok<{ consents: Array<{ purpose: string; granted: boolean; wordingVersion: string }> }>('cashier', 'member.get', {
      memberId: enrolled.member.id,
    });
    expect(detail.consents.map((c) => [c.purpose, c.granted, c.wordingVersion])).toEqual([
      ['marketing', true, '2026-11.fr-1'],
      ['personalisedOffers', false, '2026-11.fr-1'],
      ['profiling', false, '2026-11.fr-1'],
    ]);
    expect(await ok<SessionState>('customer', 'session.get', {})).toMatchObject({ phase: 'enrolled', memberId: enrolled.member.id });
    const found = await ok<{ hits: Array<{ id: string }> }>('cashier', 'member.search', { query: 'eloise' });
    expect(found.hits.map((h) => h.id)).toContain(enrolled.member.id);
  });

  it('issues card numbers from this terminal range that say nothing of the next one', async () => {
    const cards: string[] = [];
    for (const [i, phone] of ['0611111111', '0622222222', '0633333333'].entries()) {
      await ok('customer', 'enrolment.start', { presetCardNumber: null });
      const r = await ok<{ member: { cardNumber: string } }>('customer', 'enrolment.submit', form({ phone, email: `x${i}@example.com` }));
      cards.push(r.member.cardNumber);
    }
    const serials = cards.map((card) => {
      expect(checkCardNumber(card).ok, card).toBe(true);
      expect(card.slice(0, 6), card).toBe('040042');
      return Number(card.slice(6, 12));
    });
    // Sequential issuing gave serials 1, 2, 3: a sweep from one card found the next member.
    for (let i = 1; i < serials.length; i++) expect(Math.abs(serials[i]! - serials[i - 1]!), String(serials)).toBeGreaterThan(1000);
    expect(Math.min(...serials)).toBeGreaterThan(3);
    // Cards issued in sequence before keep working.
    expect((await ok<{ kind: string }>('cashier', 'member.identify', { code: known.claire.cardNumber, source: 'scan' })).kind).toBe('member');
  });

  it('draws again when the serial it drew is taken', () => {
    const draws = [0, 0, 7, 0, 0, 9];
    const random = { bytes: (n: number) => Uint8Array.from(draws.splice(0, n)) };
    const taken = makeCardNumber(42, 7);
    core.members.transaction(() =>
      core.members.insert({
        id: '01900000-0000-7000-8000-000000000001',
        firstName: 'Pré',
        lastName: 'Imprimée',
        email: null,
        phone: null,
        locale: 'fr',
        cardNumber: taken,
        createdAt: now,
        terminalId: 'test-t1',
        consents: { marketing: false, personalisedOffers: false, profiling: false },
        consentWordingVersion: '2026-11.fr-1',
        consentSource: 'test',
      }),
    );
    expect(core.members.transaction(() => core.members.issueCardNumber(42, random))).toBe(makeCardNumber(42, 9));
  });

  it('records the consent wording this terminal shows, and refuses a screen claiming another', async () => {
    await ok('customer', 'enrolment.start', { presetCardNumber: null });
    const before = dbSnapshot();
    const invented = await call('customer', 'enrolment.submit', form({ consentWordingVersion: 'v0-never-shown' }));
    expect(invented).toMatchObject({
      ok: false,
      error: { code: 'conflict', issues: [{ path: 'consentWordingVersion', message: 'consent.version_not_shown' }] },
    });
    expect(dbSnapshot()).toBe(before);
    expect(JSON.stringify(core.db.prepare('SELECT wording_version FROM member_consent').all())).not.toContain('v0-never-shown');
    expect((await ok<SessionState>('customer', 'session.get', {})).phase).toBe('enrolling');
  });

  it('gives the member the blank card the cashier scanned', async () => {
    const blank = makeCardNumber(9998, 77);
    await ok('cashier', 'enrolment.start', { presetCardNumber: blank });
    const r = await ok<{ member: { cardNumber: string } }>('customer', 'enrolment.submit', form());
    expect(r.member.cardNumber).toBe(blank);
  });

  it('refuses a preset card that already belongs to someone', async () => {
    expect(await call('cashier', 'enrolment.start', { presetCardNumber: known.claire.cardNumber })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });

  it('refuses bad fields and stores nothing', async () => {
    await ok('customer', 'enrolment.start', { presetCardNumber: null });
    const before = dbSnapshot();
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ firstName: 'Cl4ire' }, 'firstName', 'name.bad_chars'],
      [{ lastName: '' }, 'lastName', 'name.empty'],
      [{ lastName: 'x'.repeat(61) }, 'lastName', 'name.too_long'],
      [{ firstName: 'Claire\u0000' }, 'firstName', 'name.control_chars'],
      [{ firstName: 'Claire\ud800' }, 'firstName', 'name.malformed'],
      [{ lastName: 'Dupont\ufdd0' }, 'lastName', 'name.malformed'],
      [{ email: 'claire@' }, 'email', 'email.format'],
      // SQLite would have stored it as U+FFFD: an address nobody typed.
      [{ email: 'cl\udc00aire@example.com' }, 'email', 'email.malformed'],
      [{ email: 'claire\u{10ffff}@example.com' }, 'email', 'email.malformed'],
      [{ phone: '01 23 45 67 89' }, 'phone', 'phone.not_mobile'],
      [{ consents: { marketing: 'yes', personalisedOffers: false, profiling: false } }, 'consents.marketing', 'Invalid input: expected boolean, received string'],
      [{ consents: { marketing: true } }, 'consents.personalisedOffers', 'Invalid input: expected boolean, received undefined'],
    ];
    for (const [override, path, message] of cases) {
      const result = await call('customer', 'enrolment.submit', form(override));
      expect(result, JSON.stringify(override)).toMatchObject({ ok: false, error: { code: 'bad_input' } });
      if (!result.ok) expect(result.error.issues).toContainEqual({ path, message });
    }
    expect(dbSnapshot()).toBe(before);
    expect((await ok<SessionState>('customer', 'session.get', {})).phase).toBe('enrolling');
  });

  it('accepts any letters and emoji in names', async () => {
    await ok('customer', 'enrolment.start', { presetCardNumber: null });
    const r = await ok<{ member: { firstName: string; lastName: string } }>('customer', 'enrolment.submit', form({ firstName: 'Ana 👩🏽‍🍳', lastName: 'Nguyễn' }));
    expect(r.member).toMatchObject({ firstName: 'Ana 👩🏽‍🍳', lastName: 'Nguyễn' });
  });

  it('refuses a second member with the same phone or email, without saying whose', async () => {
    await ok('customer', 'enrolment.start', { presetCardNumber: null });
    const before = dbSnapshot();
    const byPhone = await call('customer', 'enrolment.submit', form({ phone: '+33 6 12 34 56 78', email: '' }));
    expect(byPhone).toMatchObject({ ok: false, error: { code: 'conflict', issues: [{ path: 'phone', message: 'enrolment.already_member' }] } });
    expect(JSON.stringify(byPhone)).not.toContain('Claire');
    const byEmail = await call('customer', 'enrolment.submit', form({ phone: '', email: 'CLAIRE.DUPONT@example.com' }));
    expect(byEmail).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(dbSnapshot()).toBe(before);
  });

  it('refuses a submission with no enrolment in progress', async () => {
    expect(await call('customer', 'enrolment.submit', form())).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(core.members.count()).toBe(4);
  });

  it('cancelling keeps nothing and returns to idle', async () => {
    const before = dbSnapshot();
    await ok('customer', 'enrolment.start', { presetCardNumber: null });
    expect(await ok<SessionState>('customer', 'enrolment.cancel', { reason: 'timeout' })).toEqual({ phase: 'idle' });
    expect(dbSnapshot()).toBe(before);
  });

  it('drops an enrolment left open by a customer screen that died', async () => {
    await ok('customer', 'enrolment.start', { presetCardNumber: null });
    now += testConfig().enrolmentMaxMs + 1;
    expect((await ok<SessionState>('cashier', 'session.get', {})).phase).toBe('idle');
  });
});

describe('scans from devices', () => {
  async function scan(data: string) {
    return ok<{ accepted: boolean }>('simulator', 'sim.scan', { deviceId: SIMULATED_SCANNER_ID, data });
  }

  it('identifies the member and tells the cashier screen', async () => {
    expect(await scan(`${known.zoe.cardNumber}\r`)).toEqual({ accepted: true });
    const read = events.find((e) => e.name === 'scan.read');
    expect(read?.payload).toMatchObject({ deviceId: SIMULATED_SCANNER_ID, result: { kind: 'member', member: { id: known.zoe.id } } });
    expect((await ok<SessionState>('customer', 'session.get', {})).phase).toBe('identified');
  });

  it('refuses a scan during enrolment: both screens are told, nothing is stored, the form stays', async () => {
    await ok('customer', 'enrolment.start', { presetCardNumber: null });
    const before = dbSnapshot();
    await scan(known.claire.cardNumber);
    expect(events.filter((e) => e.name === 'scan.read').map((e) => e.payload)).toContainEqual(
      expect.objectContaining({ result: { kind: 'ignored', reason: 'enrolling' } }),
    );
    expect(events.some((e) => e.name === 'notice' && (e.payload as { key: string }).key === 'notice.scan_during_enrolment')).toBe(true);
    expect((await ok<SessionState>('customer', 'session.get', {})).phase).toBe('enrolling');
    expect(await call('cashier', 'member.identify', { code: known.claire.cardNumber, source: 'keyboard' })).toMatchObject({
      ok: false,
      error: { code: 'busy' },
    });
    expect(dbSnapshot()).toBe(before);
  });

  it('debounces the same card read twice in a row', async () => {
    await scan(known.claire.cardNumber);
    now += DUPLICATE_SCAN_MS - 1;
    await scan(known.claire.cardNumber);
    now += DUPLICATE_SCAN_MS;
    await scan(known.claire.cardNumber);
    const kinds = events.filter((e) => e.name === 'scan.read').map((e) => (e.payload as { result: { kind: string } }).result.kind);
    expect(kinds).toEqual(['member', 'ignored', 'member']);
  });

  it('refuses the simulator where devices are real', async () => {
    const real = createCore({
      dbPath: ':memory:',
      config: testConfig({ devices: 'real' }),
      shell: 'browser',
      clock: { now: () => now },
      random: seededRandom(2),
      logger: silentLogger,
    });
    expect(await real.dispatch('simulator', 'sim.scan', { deviceId: SIMULATED_SCANNER_ID, data: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    await real.close();
  });
});
