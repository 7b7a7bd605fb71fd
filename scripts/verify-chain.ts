// `npm run ledger:verify -- <database file>`: checks a terminal's points
// journal on demand (hash chain, gapless seq, balanced postings, projections)
// without changing the file. Exit code 0: intact; 1: problems found, each
// printed with its seq; 2: the file cannot be checked.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { verifyChain } from '../src/main/core/ledger/verify';

const path = process.argv[2];
if (!path || process.argv.length > 3) {
  console.error('usage: npm run ledger:verify -- <path to terminal.sqlite>');
  process.exit(2);
}
if (!existsSync(path)) {
  console.error(`no such file: ${path}`);
  process.exit(2);
}

let db: Database.Database;
try {
  db = new Database(path, { readonly: true, fileMustExist: true });
  const hasJournal = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger_entry'").get();
  if (!hasJournal) {
    console.error(`${path} has no points journal (schema version ${String(db.pragma('user_version', { simple: true }))})`);
    process.exit(2);
  }
} catch (error) {
  console.error(`cannot open ${path}: ${(error as Error).message}`);
  process.exit(2);
}

const started = performance.now();
const report = verifyChain(db);
const ms = Math.round(performance.now() - started);
db.close();

for (const s of report.streams) {
  console.log(`stream ${s.terminalId} epoch ${s.epoch}: ${s.entries} entries, head seq ${s.head.seq} ${s.head.hash}`);
}
for (const p of report.problems) {
  const where = [p.terminalId, p.epoch === undefined ? undefined : `epoch ${p.epoch}`, p.seq === undefined ? undefined : `seq ${p.seq}`, p.account]
    .filter((x) => x !== undefined)
    .join(' ');
  console.log(`PROBLEM ${p.kind}${where ? ` at ${where}` : ''}: ${p.detail}`);
}
if (report.moreProblems > 0) console.log(`… and ${report.moreProblems} more problems`);
console.log(report.ok ? `OK: the journal verifies (${ms} ms)` : `FAILED: ${report.problems.length + report.moreProblems} problems (${ms} ms)`);
process.exit(report.ok ? 0 : 1);
