import type { Db } from './database';

/**
 * Statements prepared once per connection rather than at each call: preparing
 * costs tens of microseconds, more than the look-up it serves, and the screens
 * ask for a member's tier or a product at every scan, sale and preview.
 */
export function perConnection<T>(prepare: (db: Db) => T): (db: Db) => T {
  const prepared = new WeakMap<Db, T>();
  return (db) => {
    let value = prepared.get(db);
    if (value === undefined) {
      value = prepare(db);
      prepared.set(db, value);
    }
    return value;
  };
}
