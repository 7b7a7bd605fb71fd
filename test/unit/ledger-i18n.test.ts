import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENTRY_KINDS } from '../../src/main/core/ledger/chain';
import { ledgerEn, ledgerFr } from '../../src/shared/i18n/ledger';

/** Every message key the ledger can put in a refusal or on a receipt, read from its sources. */
function keysUsed(): string[] {
  const dir = 'src/main/core/ledger';
  const keys = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    for (const match of readFileSync(join(dir, file), 'utf8').matchAll(/'(ledger\.[a-z_.]+)'/g)) keys.add(match[1]!);
  }
  // Keys built from a name at run time.
  for (const kind of ENTRY_KINDS) keys.add(`ledger.kind.${kind}`);
  for (const limit of ['duration', 'per_transaction', 'per_member', 'per_terminal']) keys.add(`ledger.offline.${limit}`);
  return [...keys].sort();
}

describe('ledger texts', () => {
  it('exist in French and in English for every key the ledger uses', () => {
    const used = keysUsed();
    expect(used.length).toBeGreaterThan(40);
    expect(used.filter((k) => !(k in ledgerFr))).toEqual([]);
    expect(used.filter((k) => !(k in ledgerEn))).toEqual([]);
    expect(Object.keys(ledgerEn).sort()).toEqual(Object.keys(ledgerFr).sort());
  });
});
