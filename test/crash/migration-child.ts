// The process the migration crash test kills: it opens a database written by
// the previous build, whose pending migrations (slow-migrations.ts) take a
// second or so, and says when it starts and when it is done.
//
//   node --import tsx test/crash/migration-child.ts <db path>
//
// stdout lines: MIGRATING | DONE <schema version>
import { writeSync } from 'node:fs';
import { openDatabase, schemaVersion } from '../../src/main/core/db/database';
import { slowMigrations } from './slow-migrations';

const [path] = process.argv.slice(2);
if (!path) {
  console.error('usage: migration-child.ts <db path>');
  process.exit(2);
}

/** Synchronous, so the parent sees the line before the migration blocks the thread. */
const say = (line: string) => writeSync(1, `${line}\n`);

say('MIGRATING');
const db = openDatabase(path, { migrations: slowMigrations });
say(`DONE ${schemaVersion(db)}`);
db.close();
