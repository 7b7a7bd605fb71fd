import { describe, expect, it } from 'vitest';
import { makeCardNumber, formatCardNumber } from '../../src/shared/domain/card-number';
import { LogRing, ringLogger } from '../../src/main/core/it/log-ring';
import { redactLogLine, redactText, redactValue, withoutSecrets } from '../../src/main/core/it/redact';
import { silentLogger } from '../../src/main/core/ports';

const card = makeCardNumber(9990, 1);

describe('redaction of what the IT view shows', () => {
  it('masks emails, phone numbers in their usual forms, and card numbers but their last four digits', () => {
    const text = `contact claire.dupont@example.com, tel +33 6 12 34 56 78 / 06 12 34 56 78 / 0612345678, carte ${card} (${formatCardNumber(card)}), CB 4970 1012 3456 7890`;
    const out = redactText(text);
    expect(out).not.toContain('claire.dupont');
    expect(out).not.toMatch(/12 34 56 78|0612345678/);
    expect(out).not.toContain(card);
    expect(out).not.toContain(card.slice(0, 9));
    expect(out).toContain(`[carte …${card.slice(-4)}]`);
    expect(out).toContain('[carte …7890]');
    expect(out.match(/\[tél\.\]/g)).toHaveLength(3);
  });

  it('leaves what IT needs: times, addresses, ports, ids, counts', () => {
    const text = '2026-12-07T17:42:53.123Z http://127.0.0.1:5171/v1 terminal test-t1 seq 123456 0190f3a2-1c2b-7d3e-8f40-123456789abc';
    expect(redactText(text)).toBe(text);
  });

  it('masks whole the fields that hold a name, an email, a phone or a card, at any depth', () => {
    const value = { message: 'member saved', member: { firstName: 'Hélène', lastName: 'Lefèvre', name: 'Hélène Lefèvre', email: 'x@y.fr', phone: '+33698765432', cardNumber: card }, count: 3 };
    const out = JSON.stringify(redactValue(value));
    for (const secret of ['Hélène', 'Lefèvre', 'x@y.fr', '98765432', card]) expect(out).not.toContain(secret);
    expect(out).toContain('"count":3');
  });

  it('redacts a JSON log line field by field, and plain text by pattern', () => {
    const line = JSON.stringify({ t: '2026-12-07T10:00:00.000Z', level: 'warn', message: 'HQ did not take a member record', detail: 'duplicate email zoe@example.net', lastName: 'Le Gall' });
    const out = JSON.parse(redactLogLine(line)) as Record<string, string>;
    expect(out.detail).toBe('duplicate email [email]');
    expect(out.lastName).not.toContain('Gall');
    expect(out.t).toBe('2026-12-07T10:00:00.000Z');
    expect(redactLogLine('plain text 06.98.76.54.32')).toBe('plain text [tél.]');
  });

  it('keeps the last lines only, redacted as they arrive, from a tee or a wrapped logger', () => {
    const ring = new LogRing(3);
    const written: string[] = [];
    const write = ring.tee((line) => written.push(line));
    for (let i = 0; i < 4; i++) write(JSON.stringify({ message: `line ${i}`, email: 'a@b.fr' }));
    expect(ring.lines()).toHaveLength(3);
    expect(ring.lines()[0]).toContain('line 1');
    expect(ring.lines().join('\n')).not.toContain('a@b.fr');
    // The shell's own writer still gets the line as it was.
    expect(written[3]).toContain('a@b.fr');
    const logger = ringLogger(silentLogger, ring, { now: () => 0 });
    logger.warn('card refused', { card: card });
    expect(ring.lines(1)[0]).toContain('"level":"warn"');
    expect(ring.lines(1)[0]).not.toContain(card);
  });

  it('takes secrets out of a configuration and credentials out of its URLs', () => {
    const config = {
      terminalId: 't1',
      managerPinHash: 'scrypt$16384$8$1$abc$def',
      hq: { url: 'https://it:s3cret@hq.example/' },
      tillApi: { tills: [{ id: 'caisse-1', tokenSha256: 'ab'.repeat(32) }] },
    };
    const out = JSON.stringify(withoutSecrets(config));
    expect(out).not.toContain('scrypt$');
    expect(out).not.toContain('s3cret');
    expect(out).not.toContain('abab');
    expect(out).toContain('https://hq.example/');
    expect(out).toContain('caisse-1');
  });
});
