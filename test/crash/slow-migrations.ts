import { migrations, type Migration } from '../../src/main/core/db/migrations';

/**
 * The shipped migrations, then two the crash test adds: slow on purpose (a
 * table filled with 200,000 rows, an index built on it), so a
 * SIGKILL lands while SQLite is writing them, with pages already spilled to
 * the WAL. They also change a table of the ledger (a column on ledger_sale),
 * so a half-applied migration would show.
 */
export const OLD_VERSION = migrations[migrations.length - 1]!.version;
export const NEW_VERSION = OLD_VERSION + 2;
export const FILLER_ROWS = 200_000;

export const slowMigrations: readonly Migration[] = [
  ...migrations,
  {
    version: OLD_VERSION + 1,
    name: 'crash test: a note on each sale, and a big table',
    sql: `
      -- SQLite's default page cache (the terminal opens with 32 MB, which would hold this whole migration until
      -- its COMMIT): the pages spill to the WAL while it runs, as those of a migration bigger than the cache do.
      PRAGMA cache_size = -2000;
      -- ledger_sale is append-only (a trigger refuses UPDATE): a new column comes with its default.
      ALTER TABLE ledger_sale ADD COLUMN note TEXT NOT NULL DEFAULT 'before the note';
      CREATE TABLE migration_filler (i INTEGER PRIMARY KEY, pad TEXT NOT NULL) STRICT;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${FILLER_ROWS})
        INSERT INTO migration_filler SELECT i, hex(randomblob(48)) FROM n;
    `,
  },
  {
    version: OLD_VERSION + 2,
    name: 'crash test: an index over the big table',
    sql: `
      CREATE INDEX migration_filler_pad ON migration_filler (pad);
      CREATE TABLE migration_done (at INTEGER NOT NULL) STRICT;
      INSERT INTO migration_done VALUES (1);
    `,
  },
];
