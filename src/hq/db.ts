import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/**
 * The little HQ needs from PostgreSQL, behind one port so the same code and
 * the same migrations run on embedded PGlite (one machine, a data folder) and
 * on a PostgreSQL server (DATABASE_URL). Integers come back as numbers on
 * both: every bigint HQ stores (epoch ms, seq, points) is a safe integer.
 */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Several statements, no parameters (migrations). */
  exec(text: string): Promise<void>;
  /** Runs `fn` in one transaction; nested calls run inside the outer one. */
  transaction<T>(fn: (tx: Sql) => Promise<T>, options?: { readOnly?: boolean }): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'pglite' | 'postgres';
}

export async function openPglite(dataDir: string | null): Promise<Sql> {
  const db = await PGlite.create(dataDir ?? undefined);
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>, inTx: boolean): Sql => ({
    kind: 'pglite',
    async query<T>(text: string, params: readonly unknown[] = []) {
      return (await q.query<T>(text, params as unknown[])).rows;
    },
    async exec(text) {
      await q.exec(text);
    },
    async transaction(fn, options) {
      if (inTx) return fn(wrap(q, true));
      return db.transaction(async (tx) => {
        // One connection: READ ONLY still keeps a pull from writing by mistake.
        if (options?.readOnly) await tx.exec('SET TRANSACTION READ ONLY');
        return fn(wrap(tx, true));
      });
    },
    async close() {
      if (!inTx) await db.close();
    },
  });
  return wrap(db, false);
}

/** How long opening a PostgreSQL connection may take. */
export const CONNECT_TIMEOUT_MS = 10_000;

const INT8 = 20;
const NUMERIC = 1700;

export async function openPostgres(connectionString: string): Promise<Sql> {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === INT8 || oid === NUMERIC ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text'),
  };
  // A server that does not answer (a wrong host, a firewall dropping packets) is an error in seconds, not a hang.
  const pool = new pg.Pool({ connectionString, max: 8, types: types as pg.CustomTypesConfig, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const wrap = (client: pg.Pool | pg.PoolClient, inTx: boolean): Sql => ({
    kind: 'postgres',
    async query<T>(text: string, params: readonly unknown[] = []) {
      return (await client.query(text, params as unknown[])).rows as T[];
    },
    async exec(text) {
      await client.query(text);
    },
    async transaction(fn, options) {
      if (inTx) return fn(wrap(client, true));
      const c = await pool.connect();
      try {
        // Repeatable read for pulls: cookies and rows come from one snapshot.
        await c.query(options?.readOnly ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
        const result = await fn(wrap(c, true));
        await c.query('COMMIT');
        return result;
      } catch (error) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        c.release();
      }
    },
    async close() {
      if (!inTx) await pool.end();
    },
  });
  return wrap(pool, false);
}
