import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describeError, redactUrl } from '../shared/diagnostics/error-cause';
import { privateHqDataDir } from './data-dir';
import { openPostgres, type Sql } from './db';
import { createHqKey, HQ_KEY_FILE, loadHqKey, type SigningKey } from './keys';
import { DEFAULT_HQ_DIR } from './server';
import { runningServer, type RunningServer } from './staff/operator-client';

/**
 * Where HQ lives, found the same way by every `npm run hq` command:
 *   data folder  --data DIR, else HQ_DATA_DIR, else data/hq (relative to the current folder).
 *                It holds the operator token and the running-server note always,
 *                and the embedded database (PGlite, in DIR/pglite) when no DATABASE_URL is set.
 *   database     DATABASE_URL (postgres://…) for a PostgreSQL server, else PGlite in the data folder.
 *   key          --key-file FILE, else HQ_KEY_FILE, else DIR/hq-ed25519.pem — on PostgreSQL too:
 *                the key is never in the database, so a database dump alone cannot sign as HQ.
 *   running HQ   on PGlite (one process only), the note HQ writes in the data folder while it serves;
 *                commands then go through its operator API.
 * Only `init` creates the database and the key; every other command refuses
 * (HqNotFound) when either is missing, naming what it looked for.
 */
export interface HqLocation {
  dataDir: string;
  /** How dataDir was chosen: « --data », « HQ_DATA_DIR » or « default ». */
  dataDirFrom: string;
  databaseUrl: string | null;
  keyFile: string;
  keyFileFrom: string;
}

/** The exit code of a command that found no HQ where it looked. */
export const NO_HQ_EXIT = 3;

type Option = (args: string[], name: string) => string | undefined;

/** Takes --data and --key-file out of `args`; reads HQ_DATA_DIR, HQ_KEY_FILE and DATABASE_URL from `env`. */
export function locateHq(args: string[], option: Option, env: NodeJS.ProcessEnv = process.env): HqLocation {
  for (const flag of ['--data', '--key-file']) {
    const i = args.indexOf(flag);
    if (i >= 0 && (args[i + 1] === undefined || args[i + 1] === '' || args[i + 1]!.startsWith('--'))) throw new HqNotFound(`${flag} needs a path`);
  }
  const dataFlag = option(args, 'data');
  const keyFlag = option(args, 'key-file');
  const dataDir = resolve(dataFlag ?? (env.HQ_DATA_DIR || DEFAULT_HQ_DIR));
  const dataDirFrom = dataFlag !== undefined ? '--data' : env.HQ_DATA_DIR ? 'HQ_DATA_DIR' : 'default';
  const keyFile = resolve(keyFlag ?? (env.HQ_KEY_FILE || join(dataDir, HQ_KEY_FILE)));
  const keyFileFrom = keyFlag !== undefined ? '--key-file' : env.HQ_KEY_FILE ? 'HQ_KEY_FILE' : 'default, in the data folder';
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  return { dataDir, dataDirFrom, databaseUrl, keyFile, keyFileFrom };
}

/** No HQ where the command looked, or one it cannot open: a message for the person at the shell. */
export class HqNotFound extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HqNotFound';
  }
}

export function describeDatabase(loc: HqLocation): string {
  return loc.databaseUrl ? `PostgreSQL ${redactUrl(loc.databaseUrl)} (DATABASE_URL)` : `PGlite in ${pgliteDir(loc)} (data folder from ${loc.dataDirFrom})`;
}

function pgliteDir(loc: HqLocation): string {
  return join(loc.dataDir, 'pglite');
}

/** The running HQ this location's commands must go through (PGlite is one process), or null. */
export function serverOf(loc: HqLocation): RunningServer | null {
  return loc.databaseUrl ? null : runningServer(loc.dataDir);
}

function initHint(loc: HqLocation): string {
  const data = loc.dataDirFrom === 'default' ? '' : ` --data ${loc.dataDir}`;
  const key = loc.keyFileFrom.startsWith('default') ? '' : ` --key-file ${loc.keyFile}`;
  return `run \`npm run hq -- init${data}${key}\`${loc.databaseUrl ? ' with the same DATABASE_URL' : ''} first`;
}

/** Opens DATABASE_URL's server, or says clearly why it cannot. */
export async function connectPostgres(url: string): Promise<Sql> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HqNotFound(`DATABASE_URL is not a URL (expected postgres://user:password@host:5432/database): ${redactUrl(url).slice(0, 80)}`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new HqNotFound(`DATABASE_URL must start with postgres:// or postgresql://, not ${parsed.protocol}//`);
  }
  try {
    return await openPostgres(url);
  } catch (error) {
    throw new HqNotFound(`cannot open the PostgreSQL database of DATABASE_URL ${redactUrl(url)}: ${describeError(error)}`);
  }
}

async function hasHqSchema(sql: Sql): Promise<boolean> {
  const rows = await sql.query<{ found: boolean }>("SELECT to_regclass('schema_migration') IS NOT NULL AS found");
  return rows[0]?.found === true;
}

/**
 * What is missing for this location to be an HQ, or null: the database
 * (PGlite folder, or HQ's tables on the server) and the key.
 */
export async function missingParts(loc: HqLocation): Promise<{ database: boolean; key: boolean }> {
  const key = !existsSync(loc.keyFile);
  if (!loc.databaseUrl) return { database: !existsSync(join(pgliteDir(loc), 'PG_VERSION')), key };
  const sql = await connectPostgres(loc.databaseUrl);
  try {
    return { database: !(await hasHqSchema(sql)), key };
  } finally {
    await sql.close();
  }
}

/** Refuses (HqNotFound) unless init made both the database and the key here; returns the key. */
export async function requireHq(loc: HqLocation): Promise<SigningKey> {
  const missing = await missingParts(loc);
  if (missing.database || missing.key) {
    const what = [
      missing.database ? (loc.databaseUrl ? `no HQ tables in ${describeDatabase(loc)}` : `no HQ database in ${pgliteDir(loc)} (data folder from ${loc.dataDirFrom})`) : null,
      missing.key ? `no HQ key at ${loc.keyFile} (key file from ${loc.keyFileFrom})` : null,
    ].filter(Boolean);
    const restore = !missing.database && missing.key ? ' If this HQ has enrolled terminals, restore its key from your backup instead: they trust only that key.' : '';
    throw new HqNotFound(`No HQ here: ${what.join('; ')}. Nothing was created: ${initHint(loc)}.${restore}`);
  }
  return loadHqKey(loc.keyFile);
}

export interface InitOutcome {
  created: string[];
  kept: string[];
}

/**
 * `init`: makes the data folder, the key and the database (HQ's tables) where
 * they are missing, once. A database that already exists without its key is
 * refused unless `newKey`: its terminals trust the lost key, a new one means
 * enrolling them all again.
 */
export async function initHq(loc: HqLocation, o: { newKey: boolean; open: (key: SigningKey) => Promise<void> }): Promise<InitOutcome> {
  const missing = await missingParts(loc);
  if (!missing.database && missing.key && !o.newKey) {
    throw new HqNotFound(
      `${describeDatabase(loc)} already holds an HQ, but its key ${loc.keyFile} is missing. Restore the key from your backup (terminals trust only it), ` +
        'or run init again with --new-key to make another one and then re-enrol every terminal.',
    );
  }
  const created: string[] = [];
  const kept: string[] = [];
  mkdirSync(loc.dataDir, { recursive: true });
  privateHqDataDir(loc.dataDir);
  let key: SigningKey;
  if (missing.key) {
    mkdirSync(dirname(loc.keyFile), { recursive: true });
    key = createHqKey(loc.keyFile);
    created.push(`key ${loc.keyFile}`);
  } else {
    key = loadHqKey(loc.keyFile);
    kept.push(`key ${loc.keyFile}`);
  }
  // Opening migrates: HQ's tables on the server, or the PGlite folder made and migrated.
  await o.open(key);
  (missing.database ? created : kept).push(`database ${describeDatabase(loc)}`);
  return { created, kept };
}
