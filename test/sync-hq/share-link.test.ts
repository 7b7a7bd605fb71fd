import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCatalogue } from '../../src/hq/products/catalogue';
import { startHq, type Hq } from '../../src/hq/server';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { shareUrl } from '../../src/main/core/sync/share-link';
import { canonicalJson } from '../../src/main/core/ledger/canonical';
import { parseShareToken, shareClaims, shareTokenBody } from '../../src/shared/sync/share-link';
import { WEDNESDAY_10H } from '../integration/ledger-fixture';
import { openTerminal, type Terminal } from './member-fleet';

/**
 * « Demander l'avis d'un ami » (issue 16 item 6): a link the terminal signs
 * opens a public page at HQ about a product or an offer and the store, with
 * nothing about the customer; a forged, foreign, malformed or withdrawn one
 * finds nothing, and a genuine one stops working after its days.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-share-'));
const clock = { value: WEDNESDAY_10H };
let hq: Hq;
let till: Terminal;

beforeAll(async () => {
  hq = await startHq({ dataDir: dir, inMemory: true, clock: { now: () => clock.value }, random: seededRandom(16), logger: silentLogger, maintenanceIntervalMs: 0, valueCheckIntervalMs: 0 });
  till = await openTerminal(hq, 'caisse-lyon-1', 'lyon-2', 316);
  const csv = ['sku;label;category;ean;vat;price', 'FL-FRAISES;Fraises gariguette 250 g;fruits;3497161791842;5,5;3,49', 'EP-RIZ-1KG;Riz long grain 1 kg;epicerie;;5,5;1,79'].join('\n');
  expect(await importCatalogue(hq.ctx, csv, 'test')).toMatchObject({ ok: true, added: 2 });
}, 60_000);

afterAll(async () => {
  till?.close();
  await hq?.close();
  rmSync(dir, { recursive: true, force: true });
});

const link = (kind: 'product' | 'offer', id: string, label?: { fr: string; en: string }) => {
  const made = shareUrl({ hqUrl: hq.url, terminalId: till.sync.enrolment()!.terminalId, key: till.sync.key, kind, id, ...(label ? { label } : {}), now: till.h.clock.value });
  if (!made) throw new Error('no link');
  return made;
};
const open = async (url: string) => {
  const response = await fetch(url);
  return { status: response.status, html: await response.text() };
};

describe('a link for a friend', () => {
  it("opens a public page with the product, its price and the store, and nothing of the customer who asked", async () => {
    const made = link('product', 'FL-FRAISES');
    expect(made.url.startsWith(`${hq.url}/a/`)).toBe(true);
    expect(made.expiresOn).toBe('2026-11-25');
    const page = await open(made.url);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Un ami vous demande votre avis');
    expect(page.html).toContain('Fraises gariguette 250 g');
    expect(page.html).toMatch(/3,49\s€/);
    expect(page.html).toContain('Rayon : fruits');
    expect(page.html).toContain('Vu au magasin');
    expect(page.html).toContain('25 novembre 2026');
    expect(page.html).not.toMatch(/<script/i);
    // The token names a terminal and a product, never a member or a card.
    const claims = parseShareToken(made.url.split('/a/')[1]!)!.claims;
    expect(Object.keys(claims).sort()).toEqual(['e', 'i', 'k', 'p', 't']);
    const english = await open(`${made.url}?lang=en`);
    expect(english.html).toContain('A friend would like your opinion');
    expect(english.html).toMatch(/€3\.49/);
  });

  it('shows an offer by the label the terminal signed, accents and all', async () => {
    const page = await open(link('offer', 'atelier-cuisine', { fr: 'Atelier cuisine : la fraise en été', en: 'Cooking class: strawberries in summer' }).url);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Atelier cuisine : la fraise en été');
    expect(page.html).toContain('Offre');
  });

  it('finds nothing for a forged, foreign or malformed token, or a product HQ withdrew', async () => {
    const made = link('product', 'FL-FRAISES');
    const token = made.url.split('/a/')[1]!;
    const [body, signature] = token.split('.') as [string, string];
    // Same signature, another product in the claims.
    const other = shareTokenBody({ ...parseShareToken(token)!.claims, i: 'EP-RIZ-1KG' })!;
    expect((await open(`${hq.url}/a/${other}.${signature}`)).status).toBe(404);
    // Signed by a key HQ never enrolled, in this terminal's name.
    const { privateKey } = generateKeyPairSync('ed25519');
    const claims = shareClaims({ terminalId: till.sync.enrolment()!.terminalId, kind: 'product', id: 'FL-FRAISES', now: clock.value });
    const foreign = sign(null, Buffer.from(canonicalJson(claims)), privateKey).toString('base64url');
    expect((await open(`${hq.url}/a/${shareTokenBody(claims)}.${foreign}`)).status).toBe(404);
    for (const bad of [`${body}.`, `${body}`, `x${body}.${signature}`, `${body}.${signature}x`, '%00', 'a'.repeat(2000)]) {
      const page = await open(`${hq.url}/a/${bad}`);
      expect(page.status, bad.slice(0, 40)).toBe(404);
      expect(page.html).toContain('Lien introuvable');
    }
    expect(await importCatalogue(hq.ctx, 'sku;label;category;ean;vat;price\nEP-RIZ-1KG;Riz long grain 1 kg;epicerie;;5,5;1,79', 'test')).toMatchObject({ ok: true, withdrawn: 1 });
    expect((await open(made.url)).status).toBe(404);
  });

  it('stops working after its last day, and says so', async () => {
    const made = link('product', 'EP-RIZ-1KG');
    clock.value = WEDNESDAY_10H + 7 * 86_400_000;
    expect((await open(made.url)).status).toBe(200);
    clock.value = WEDNESDAY_10H + 8 * 86_400_000;
    const page = await open(made.url);
    expect(page.status).toBe(410);
    expect(page.html).toContain('Ce lien a expiré');
  });
});
