import type { Db } from '../db/database';
import { socialPolicyOf, type SocialPolicy } from '../../../shared/social/policy';

/** The social section of the programme version in force at `at` (programme_version, as the pull stored it); the defaults before any. */
export function socialPolicyAt(db: Db): (at: number) => SocialPolicy {
  const inForce = db.prepare<[number], { version: string; document: string }>(
    'SELECT version, document FROM programme_version WHERE effective_from <= ? ORDER BY effective_from DESC LIMIT 1',
  );
  const parsed = new Map<string, SocialPolicy>();
  return (at) => {
    const row = inForce.get(at);
    if (!row) return socialPolicyOf(null);
    let policy = parsed.get(row.version);
    if (!policy) parsed.set(row.version, (policy = socialPolicyOf(JSON.parse(row.document) as unknown)));
    return policy;
  };
}

/** 'YYYY-MM' of an instant in the programme's time zone: the cap counts per calendar month there. */
export function monthOf(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(at);
  return `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}`;
}
