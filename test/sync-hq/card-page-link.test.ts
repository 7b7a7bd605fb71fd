import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrolCode } from '../../src/hq/enrolment';
import { startHq, type Hq } from '../../src/hq/server';
import { createCore, type Core } from '../../src/main/core/core';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import type { MethodName, Role, SessionState } from '../../src/shared/contract';
import { walletQrPayload } from '../../src/shared/domain/card-number';
import { testConfig } from '../fakes/known-members';

/**
 * The enrolment screen's QR: once the terminal is enrolled with an HQ, the
 * enrolment result carries the link to the new member's card page at HQ and
 * the customer screen shows it; before that, or without an HQ, there is no
 * link and the QR is the card itself.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-card-link-'));
const now = Date.UTC(2026, 10, 22, 9);
let hq: Hq;
let core: Core;
let alone: Core;

const form = (i: number) => ({
  firstName: 'Éloïse',
  lastName: 'Le Bœuf-Dürr',
  email: `eloise${i}@example.com`,
  phone: `06 11 22 33 4${i}`,
  consents: { marketing: false, personalisedOffers: false, profiling: false },
  consentWordingVersion: '2026-11.fr-1',
  locale: 'fr',
});

async function ok<T>(c: Core, role: Role, method: MethodName, input: unknown): Promise<T> {
  const result = await c.dispatch(role, method, input);
  if (!result.ok) throw new Error(`${method} failed: ${JSON.stringify(result.error)}`);
  return result.value as T;
}

async function enrolCustomer(c: Core, i: number) {
  await ok(c, 'customer', 'enrolment.start', { presetCardNumber: null });
  const enrolled = await ok<{ member: { id: string; cardNumber: string }; walletQr: string; cardPageUrl: string | null }>(c, 'customer', 'enrolment.submit', form(i));
  const session = await ok<SessionState>(c, 'customer', 'session.get', {});
  await ok(c, 'customer', 'session.clear', {});
  return { ...enrolled, shown: session.phase === 'enrolled' ? session.walletQr : null };
}

function open(dbName: string, config: Parameters<typeof testConfig>[0]): Core {
  return createCore({
    dbPath: join(dir, dbName),
    config: testConfig(config),
    shell: 'browser',
    clock: { now: () => now },
    random: seededRandom(dbName.length),
    logger: silentLogger,
    validateOutput: true,
  });
}

beforeAll(async () => {
  hq = await startHq({ dataDir: join(dir, 'hq'), inMemory: true, clock: { now: () => now }, random: seededRandom(5), logger: silentLogger, maintenanceIntervalMs: 0 });
  core = open('with-hq.sqlite', { hq: { url: hq.url }, storeId: 'paris-11' });
  await core.start();
  alone = open('alone.sqlite', {});
  await alone.start();
}, 60_000);

afterAll(async () => {
  // Joins the pull the enrolment started (pulls are single-flight), so none ends on a closed database.
  await core?.sync.client?.pull();
  await core?.close();
  await alone?.close();
  await hq?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the card page link in the enrolment result', () => {
  it('is absent without an HQ: the QR is the card', async () => {
    const enrolled = await enrolCustomer(alone, 1);
    expect(enrolled.cardPageUrl).toBeNull();
    expect(enrolled.shown).toBe(walletQrPayload(enrolled.member.cardNumber));
  });

  it('is absent while the terminal is not enrolled with its HQ, then carried and shown once it is; the link opens the card', async () => {
    const before = await enrolCustomer(core, 2);
    expect(before.cardPageUrl).toBeNull();
    expect(before.shown).toBe(walletQrPayload(before.member.cardNumber));

    const { code } = await createEnrolCode(hq.ctx, 'paris-11', 'test-t1');
    await ok(core, 'cashier', 'sync.enrol', { code, storeId: 'paris-11' });

    const after = await enrolCustomer(core, 3);
    expect(after.cardPageUrl).toMatch(new RegExp(`^${hq.url}/c/test-t1\\.[0-9a-f]{32}\\.\\d{8}\\.[A-Za-z0-9_-]{86}$`));
    expect(after.shown).toBe(after.cardPageUrl);
    expect(after.cardPageUrl).not.toContain(after.member.cardNumber);

    // The member is sent to HQ straight away, so the phone that scans the QR finds the card.
    let page = await fetch(after.cardPageUrl!);
    for (let i = 0; i < 50 && page.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      page = await fetch(after.cardPageUrl!);
    }
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Bonjour Éloïse');
    expect(html).not.toContain('Le Bœuf-Dürr');
  });
});
