import { GoodwillPolicy } from '../../../shared/contract';
import { MemberRelationshipItem } from '../../../shared/sync/relationship-item';

/**
 * The store bucket's incident items (relationship-item.ts), checked when a
 * pull is checked, before anything is written: kept as sent afterwards, and
 * read without checking again at the till (incident-book.ts).
 */
export function isIncidentItem(bucket: string, key: string): boolean {
  return bucket === 'store' && (key === 'goodwill' || key.startsWith('relationship:'));
}

/** Throws what is wrong with the item. */
export function checkIncidentItem(key: string, value: unknown): void {
  if (key === 'goodwill') {
    GoodwillPolicy.parse(value);
    return;
  }
  const item = MemberRelationshipItem.parse(value);
  if (key !== `relationship:${item.memberId}`) throw new Error(`${key} carries member ${item.memberId}`);
}
