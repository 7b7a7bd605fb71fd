import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { cryptoRandom } from '../../src/main/core/crypto-random';
import { fileVault, vaultKeyPath } from '../../src/main/core/security/file-vault';
import { privateKeyForms } from '../unit/private-key-forms';
import { startKiosk } from './browser-mode-child';

/**
 * The browser mode as `npm start` runs it, with its embedded HQ, on a data
 * folder an older build left readable by others: after start, every folder
 * is 0700 and every file 0600 (the database, its WAL and SHM, the vault key,
 * HQ's PGlite files and key), and the database holds no private key in clear.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-private-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function modes(root: string): Array<{ path: string; mode: string }> {
  const out: Array<{ path: string; mode: string }> = [];
  const visit = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    out.push({ path: path.slice(root.length) || '/', mode: (stat.mode & 0o777).toString(8) });
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return out;
}

it('locks the terminal and HQ data folders down, and keeps the HQ key out of the database', async () => {
  const data = join(dir, 'data');
  // What today's build leaves: a 0755 folder with 0644 files in it.
  mkdirSync(join(data, 'receipts'), { recursive: true, mode: 0o755 });
  chmodSync(data, 0o755);
  writeFileSync(join(data, 'receipts', 'old.txt'), 'a receipt', { mode: 0o644 });
  const config = join(dir, 'terminal.json');
  writeFileSync(config, JSON.stringify({ demoSeed: null, tillApi: { enabled: false } }));
  const kiosk = await startKiosk(['--data', data, '--config', config, '--devices', 'simulated', '--port', '0', '--hq-port', '0']);
  const { hqLine } = kiosk;
  try {
    // Whether enrolment succeeded or not, the terminal made its HQ key pair at start.
    expect(hqLine).toMatch(/embedded http/);
    const db = join(data, 'terminal.sqlite');
    for (const file of [db, `${db}-wal`, `${db}-shm`, vaultKeyPath(data), join(data, 'hq', 'hq-ed25519.pem')]) {
      expect(existsSync(file), file).toBe(true);
    }
    expect(readdirSync(join(data, 'hq', 'pglite')).length).toBeGreaterThan(0);
    const all = modes(data);
    expect(all.length).toBeGreaterThan(20);
    const wrong = all.filter(({ path, mode }) => mode !== (statSync(join(data, path)).isDirectory() ? '700' : '600'));
    expect(wrong).toEqual([]);
    // The browser mode logs to its data folder, not to the console.
    expect(readFileSync(join(data, 'logs', 'terminal.log'), 'utf8')).toContain("the terminal's key is protected by a file key only: keep the data folder private");

    // The key as the vault opens it, and every way it could appear in the database files.
    const reader = new Database(db, { readonly: true });
    const stored = reader.prepare<[], { private_key: string }>('SELECT private_key FROM sync_identity').get()!.private_key;
    reader.close();
    const [scheme, sealed] = stored.split(':');
    expect(scheme).toBe('file-aes256gcm');
    const der = fileVault({ path: vaultKeyPath(data), random: cryptoRandom }).open(Buffer.from(sealed!, 'base64url'));
    const bytes = Buffer.concat([readFileSync(db), readFileSync(`${db}-wal`)]);
    for (const form of privateKeyForms(der)) expect(bytes.includes(form)).toBe(false);
  } finally {
    await kiosk.stop();
  }
}, 120_000);
