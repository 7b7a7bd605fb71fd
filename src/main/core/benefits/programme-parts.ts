import { z } from 'zod';
import type { Db } from '../db/database';
import { programmeSectionAt } from '../programme/programme-book';
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

/** `at` → the parts in force, parsed once per version (programme-book.ts keeps the versions in memory). */
export function programmePartsAt(db: Db): (at: number) => ProgrammeParts {
  return programmeSectionAt(
    db,
    (document, version) => {
      const parsed = Parts.safeParse(document);
      return parsed.success ? { version: parsed.data.version, benefits: parsed.data.benefits, membership: parsed.data.membership } : { ...NONE, version };
    },
    NONE,
  );
}
