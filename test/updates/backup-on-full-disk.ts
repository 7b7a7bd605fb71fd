/**
 * Run by backup.test.ts in a private mount namespace whose backups folder is
 * a tiny tmpfs: the copy meets the kernel's own ENOSPC. Prints one JSON line.
 * argv: database path, data folder (its backups/ is the tmpfs).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/main/core/db/database';
import { backupDatabase, backupsDir } from '../../src/main/core/updates/backup';

const [dbPath, dataDir] = process.argv.slice(2) as [string, string];
const earlier = 'fidele-2026-12-06T02-00-00-000Z-1.0.0.sqlite';
writeFileSync(join(backupsDir(dataDir), earlier), 'an earlier backup');
const db = openDatabase(dbPath);
try {
  await backupDatabase(db, dataDir, '1.3.0', Date.UTC(2026, 11, 7, 3, 0));
  console.log(JSON.stringify({ ok: true }));
} catch (error) {
  const e = error as { name?: string; code?: string };
  console.log(JSON.stringify({ ok: false, name: e.name, code: e.code, left: readdirSync(backupsDir(dataDir)) }));
} finally {
  db.close();
}
