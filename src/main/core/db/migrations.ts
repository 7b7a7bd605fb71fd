/**
 * Versioned schema. A migration is never edited once released: later changes
 * are new entries. Versions are applied in order, all pending ones in a single
 * transaction, and the resulting version is stored in `PRAGMA user_version`.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'members, cards, consents, search tokens',
    sql: `
      CREATE TABLE member (
        id TEXT PRIMARY KEY,
        first_name TEXT NOT NULL,
        last_name TEXT NOT NULL,
        email TEXT,
        phone TEXT,
        locale TEXT NOT NULL CHECK (locale IN ('fr', 'en')),
        primary_card TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by_terminal TEXT NOT NULL
      ) STRICT;

      CREATE TABLE member_card (
        card_number TEXT PRIMARY KEY,
        member_id TEXT NOT NULL REFERENCES member(id),
        issued_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX member_card_by_member ON member_card(member_id);

      -- Append-only history: the current consent is the latest row per purpose.
      CREATE TABLE member_consent (
        member_id TEXT NOT NULL REFERENCES member(id),
        purpose TEXT NOT NULL CHECK (purpose IN ('marketing', 'personalisedOffers', 'profiling')),
        granted INTEGER NOT NULL CHECK (granted IN (0, 1)),
        wording_version TEXT NOT NULL,
        recorded_at INTEGER NOT NULL,
        source TEXT NOT NULL
      ) STRICT;
      CREATE INDEX member_consent_by_member ON member_consent(member_id, purpose, recorded_at);

      -- Folded words for search as you type: one row per searchable word, so a
      -- prefix is an index range and results come back already in order.
      CREATE TABLE member_search_token (
        kind INTEGER NOT NULL,
        token TEXT NOT NULL,
        -- folded "last first": results for one word come back in name order
        sort_key TEXT NOT NULL,
        member_id TEXT NOT NULL REFERENCES member(id),
        PRIMARY KEY (kind, token, sort_key, member_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX member_search_token_by_member ON member_search_token(member_id);

      CREATE TABLE card_serial (
        terminal_code INTEGER PRIMARY KEY,
        next_serial INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE terminal_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = migrations[migrations.length - 1]!.version;
