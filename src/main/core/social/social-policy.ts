import type { Db } from '../db/database';
import { programmeSectionAt } from '../programme/programme-book';
import { socialPolicyOf, type SocialPolicy } from '../../../shared/social/policy';

/** The social section of the programme version in force at `at` (programme-book.ts); the defaults before any. */
export function socialPolicyAt(db: Db): (at: number) => SocialPolicy {
  return programmeSectionAt(db, (document) => socialPolicyOf(document), socialPolicyOf(null));
}

/** 'YYYY-MM' of an instant in the programme's time zone: the cap counts per calendar month there. */
export function monthOf(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(at);
  return `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}`;
}
