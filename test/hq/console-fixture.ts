import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hqPoints, type TestHq, type TestTerminal } from './hq-fixture';

/**
 * A stand-in for the built renderer (out/renderer) as HQ's console module
 * reads it: the console's page naming two assets, and one asset it does not
 * name (another screen's). The HTTP tests do not depend on a build.
 */
export const CONSOLE_ASSETS = { script: 'hq-Test1234.js', style: 'hq-Test5678.css', other: 'cashier-Other999.js' };

export function fakeConsoleBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fidele-console-'));
  mkdirSync(join(dir, 'hq'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'hq', 'index.html'),
    `<!doctype html>
<html lang="fr"><head><meta charset="UTF-8" /><title>Fidèle — Siège</title>
<script type="module" crossorigin src="../assets/${CONSOLE_ASSETS.script}"></script>
<link rel="stylesheet" crossorigin href="../assets/${CONSOLE_ASSETS.style}">
</head><body><div id="root"></div></body></html>`,
  );
  writeFileSync(join(dir, 'assets', CONSOLE_ASSETS.script), 'console.log("console");');
  writeFileSync(join(dir, 'assets', CONSOLE_ASSETS.style), 'body{margin:0}');
  writeFileSync(join(dir, 'assets', CONSOLE_ASSETS.other), 'console.log("cashier");');
  return dir;
}

/**
 * The anomaly the console exists to show: a terminal redeems offline, on its
 * stale view, more points than HQ holds for the member (another store spent
 * them). HQ posts the deficit to the member's overdraft account and records
 * an `offline_overdraft` sync anomaly.
 */
export async function provokeOfflineOverdraft(hq: TestHq, t: TestTerminal, extraPoints = 80): Promise<{ memberId: string; entryId: string }> {
  const memberId = t.members.claire.id;
  t.sell(memberId, 120);
  const sold = await hq.post('/v1/push', t.batch(1, t.wire.length));
  if (sold.status !== 200) throw new Error(`push failed: ${JSON.stringify(sold.json)}`);
  const held = await hqPoints(hq, memberId);
  const entry = t.appendHandMade({
    kind: 'redeem',
    memberId,
    offline: true,
    detail: { points: held + extraPoints },
    postings: [
      { account: 'program:redemption', delta: held + extraPoints },
      { account: `member:${memberId}:points`, delta: -(held + extraPoints) },
    ],
  });
  const answer = await hq.post('/v1/push', t.batch(entry.seq, entry.seq));
  if (answer.status !== 200 || answer.json.receipt.exceptions[0]?.kind !== 'offline_overdraft') throw new Error(`no overdraft: ${JSON.stringify(answer.json)}`);
  return { memberId, entryId: entry.entry_id };
}
