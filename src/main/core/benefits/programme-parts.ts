import { z } from 'zod';
import type { Db } from '../db/database';
import { Benefit, Membership } from '../../../shared/programme/document';

/**
 * The benefits and membership of the programme version in force (issue 14
 * items 6 and 7), read from the signed versions the pull stored
 * (programme/programme-book.ts). The ledger reads only the earning rules; a
 * version whose benefits this build cannot read offers none rather than
 * failing the sale.
 */
export interface ProgrammeParts {
  version: string | null;
  benefits: Benefit[];
  membership: Membership;
}

const Parts = z.looseObject({ version: z.string(), benefits: z.array(Benefit), membership: Membership });
const NONE: ProgrammeParts = { version: null, benefits: [], membership: null };

/**
 * `at` → the parts in force. Kept for `ttlMs`: the sale path asks whether a
 * line is the membership's at every sale, and a version change is felt
 * within that time rather than costing every sale a query.
 */
export function programmePartsAt(db: Db, ttlMs = 60_000): (at: number) => ProgrammeParts {
  const inForce = db.prepare<[number], { version: string; document: string }>(
    'SELECT version, document FROM programme_version WHERE effective_from <= ? ORDER BY effective_from DESC LIMIT 1',
  );
  let cached: { parts: ProgrammeParts; at: number } | null = null;
  return (at) => {
    if (cached && at >= cached.at && at - cached.at < ttlMs) return cached.parts;
    const row = inForce.get(at);
    let parts = NONE;
    if (row) {
      const parsed = Parts.safeParse(JSON.parse(row.document) as unknown);
      parts = parsed.success ? { version: parsed.data.version, benefits: parsed.data.benefits, membership: parsed.data.membership } : { ...NONE, version: row.version };
    }
    cached = { parts, at };
    return parts;
  };
}
