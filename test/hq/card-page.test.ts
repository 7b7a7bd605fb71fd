import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardPageUrl } from '../../src/main/core/sync/card-page-link';
import { revoke } from '../../src/hq/enrolment';
import { signWith } from '../../src/hq/keys';
import { upsertMember } from '../../src/hq/members';
import { formatCardNumber, makeCardNumber } from '../../src/shared/domain/card-number';
import { ean13Bars } from '../../src/shared/domain/ean13-barcode';
import { CARD_PAGE_DAYS } from '../../src/shared/sync/card-page';
import { hqPoints, startTestHq, TestTerminal, type TestHq } from './hq-fixture';

/**
 * The card QR's page at HQ (src/hq/card-page.ts): a terminal-signed link
 * opens the member's card (first name, barcode, QR, chain-wide balance) with
 * no session, under the strict CSP, installable; anything else gets the one
 * plain 404 page.
 */
let hq: TestHq;
let t: TestTerminal;
let memberId: string;
let card: string;
const DAY = 86_400_000;

const AMELIE = { firstName: 'Amélie', lastName: 'Poulain', email: 'amelie.poulain@example.fr', phone: '+33611223344' };

/** A link as the terminal makes it, signed with `key` (the enrolled one by default). */
function link(o: { member?: string; terminalId?: string; sign?: (payload: unknown) => string; now?: number } = {}): string {
  const url = cardPageUrl({
    hqUrl: hq.url,
    terminalId: o.terminalId ?? t.terminalId,
    key: { sign: o.sign ?? ((payload) => signWith(t.privateKey, payload)) },
    memberId: o.member ?? memberId,
    now: o.now ?? hq.clock.value,
  });
  if (!url) throw new Error('no link for this member');
  return url;
}

const pathOf = (url: string) => new URL(url).pathname + new URL(url).search;
const tokenOf = (url: string) => new URL(url).pathname.slice('/c/'.length);

async function open(path: string) {
  const response = await fetch(`${hq.url}${path}`);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

beforeAll(async () => {
  hq = await startTestHq();
  t = new TestTerminal('caisse-paris-1', 'paris-11');
  await t.enrol(hq);
  memberId = t.members.claire.id;
  card = makeCardNumber(11, 4242);
  await upsertMember(hq.ctx, { memberId, ...AMELIE, locale: 'fr', cards: [card], createdAt: 1 }, [t.storeId]);
  t.sell(memberId, 24);
  t.sell(memberId, 60);
  expect((await hq.post('/v1/push', t.batch(1, t.wire.length))).status).toBe(200);
}, 60_000);

afterAll(async () => {
  t?.close();
  await hq?.stop();
});

describe('the card page a terminal links to', () => {
  it('shows the first name, the card as barcode and QR, and HQ’s balance; no surname, email or phone', async () => {
    const url = link();
    expect(url.startsWith(`${hq.url}/c/`)).toBe(true);
    // The link names neither the card nor anything to walk from.
    expect(url).not.toContain(card);
    const page = await open(pathOf(url));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('<html lang="fr">');
    expect(page.text).toContain('Bonjour Amélie');
    const balance = await hqPoints(hq, memberId);
    expect(balance).toBeGreaterThan(0);
    expect(page.text).toMatch(new RegExp(`data-testid="card-balance">${balance} points<`));
    expect(page.text).toContain(`aria-label="Code-barres de la carte ${formatCardNumber(card)}"`);
    expect(page.text).toContain(`aria-label="QR code de la carte ${formatCardNumber(card)}"`);
    expect(page.text.match(/<svg class="barcode"[\s\S]*?<\/svg>/)![0].match(/<rect x=/g)!.length).toBe(ean13Bars(card).length);
    expect(page.text).toContain(`data-testid="card-number">${formatCardNumber(card)}<`);
    for (const secret of [AMELIE.lastName, AMELIE.email, AMELIE.phone, '06 11', memberId]) expect(page.text).not.toContain(secret);
  });

  it('is public but not lax: no session needed, strict CSP without inline script, not framed, not cached, Host checked', async () => {
    const page = await open(pathOf(link()));
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("manifest-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.text).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('set-cookie')).toBeNull();
    // fetch will not name another Host; the guard sees the request the same way through inject.
    expect((await hq.app.inject({ url: pathOf(link()), headers: { host: 'evil.example' } })).statusCode).toBe(421);
    expect((await hq.app.inject({ url: pathOf(link()), headers: { host: '127.0.0.1' } })).statusCode).toBe(200);
  });

  it('answers in English with ?lang=en', async () => {
    const page = await open(`${pathOf(link())}?lang=en`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="en">');
    expect(page.text).toContain('Hello Amélie');
  });

  it('answers a forged, tampered, expired, unknown or revoked terminal’s link with the one plain 404 page', async () => {
    const genuine = link();
    expect((await open(pathOf(genuine))).status).toBe(200);
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const otherMember = '0190aaaa-0000-7000-8000-000000000001';
    await upsertMember(hq.ctx, { memberId: otherMember, firstName: 'Zoé', lastName: 'Autre', email: null, phone: null, locale: 'fr', cards: [makeCardNumber(11, 4243)], createdAt: 1 }, [t.storeId]);
    const [terminal, , day, signature] = tokenOf(genuine).split('.') as [string, string, string, string];
    const swapped = `${terminal}.${otherMember.replace(/-/g, '')}.${day}.${signature}`;
    const longer = `${terminal}.${memberId.replace(/-/g, '')}.29991231.${signature}`;
    const refused = {
      'signed by another key': pathOf(link({ sign: (payload) => signWith(stranger, payload) })),
      'another member under the genuine signature': `/c/${swapped}`,
      'a later expiry under the genuine signature': `/c/${longer}`,
      'expired yesterday': pathOf(link({ now: hq.clock.value - (CARD_PAGE_DAYS + 1) * DAY })),
      'unknown terminal': pathOf(link({ terminalId: 'caisse-inconnue', sign: (payload) => signWith(stranger, payload) })),
      'member HQ does not hold': pathOf(link({ member: '0190aaaa-0000-7000-8000-00000000dead' })),
      'not a token': '/c/0412345678901',
      'garbage': `/c/${terminal}.${'a'.repeat(32)}.20270101.${'B'.repeat(86)}`,
      'too long': `/c/${'a'.repeat(600)}.${'a'.repeat(32)}.20270101.${signature}`,
      'a path below a token': `${pathOf(genuine)}/x`,
    };
    const bodies = new Set<string>();
    for (const [what, path] of Object.entries(refused)) {
      const answer = await open(path);
      expect(answer.status, what).toBe(404);
      expect(answer.headers.get('content-type'), what).toMatch(/^text\/html/);
      expect(answer.text, what).toContain('Carte introuvable');
      expect(answer.headers.get('content-security-policy'), what).toContain("default-src 'none'");
      bodies.add(answer.text);
    }
    // Which check failed is not told.
    expect(bodies.size).toBe(1);
    expect([...bodies][0]).not.toContain('Amélie');

    // Still good on its last day; gone the day after.
    hq.clock.value += CARD_PAGE_DAYS * DAY;
    expect((await open(pathOf(genuine))).status).toBe(200);
    hq.clock.value += DAY;
    expect((await open(pathOf(genuine))).status).toBe(404);
    hq.clock.value -= (CARD_PAGE_DAYS + 1) * DAY;

    // Revoking the terminal revokes every link it issued.
    await revoke(hq.ctx, t.terminalId);
    const afterRevoke = await open(pathOf(genuine));
    expect(afterRevoke.status).toBe(404);
    expect(afterRevoke.text).toBe([...bodies][0]);
    await hq.ctx.sql.query("UPDATE terminal SET status = 'active', revoked_at = NULL WHERE terminal_id = $1", [t.terminalId]);
  });

  it('is installable: the page links a manifest that opens this card standalone, with PNG icons served by HQ', async () => {
    const url = link();
    const page = await open(pathOf(url));
    const href = /<link rel="manifest" href="([^"]+)">/.exec(page.text)![1]!.replace(/&amp;/g, '&');
    const manifest = await open(href);
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
    const body = JSON.parse(manifest.text) as { start_url: string; display: string; name: string; icons: Array<{ src: string; sizes: string; type: string }> };
    expect(body).toMatchObject({ start_url: new URL(url).pathname, display: 'standalone', name: 'Ma carte Fidèle' });
    expect(body.icons.map((i) => i.sizes)).toEqual(['192x192', '512x512']);
    for (const icon of body.icons) {
      const response = await fetch(`${hq.url}${icon.src}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      const png = Buffer.from(await response.arrayBuffer());
      expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
      expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`).toBe(icon.sizes);
    }
    const stylesheet = /<link rel="stylesheet" href="([^"]+)">/.exec(page.text)![1]!;
    expect((await open(stylesheet)).status).toBe(200);
    // The manifest names a card's address only for a link that opens one.
    const forged = pathOf(link({ sign: (payload) => signWith(generateKeyPairSync('ed25519').privateKey, payload) }));
    expect((await open(`/card/manifest.webmanifest?c=${tokenOf(`${hq.url}${forged}`)}`)).status).toBe(404);
  });
});
