import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
