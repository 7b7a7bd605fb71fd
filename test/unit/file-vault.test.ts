import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, startupRefusal } from '../../src/main/core/db/database';
import { seededRandom, type Logger } from '../../src/main/core/ports';
import { FILE_VAULT_WARNING, fileVault, vaultKeyPath, VaultError } from '../../src/main/core/security/file-vault';
import { loadOrCreateTerminalKey, loadTerminalKey, sealTerminalKey, type KeyVault } from '../../src/main/core/sync/keys';
import { terminalKeyVault, type SafeStorageLike } from '../../src/main/electron/key-vault';
import { privateKeyForms } from './private-key-forms';

const clock = { now: () => 1_000 };
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fidele-vault-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function logs() {
  const lines: Array<{ level: string; message: string }> = [];
  const logger: Logger = {
    info: (message) => lines.push({ level: 'info', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message) => lines.push({ level: 'error', message }),
  };
  return { lines, logger };
}

const storedKey = (db: ReturnType<typeof openDatabase>) => db.prepare<[], { private_key: string }>('SELECT private_key FROM sync_identity').get()!.private_key;

/** Every file of the database as it stands on disk, the write-ahead log included. */
function databaseBytes(path: string): Buffer {
  const parts = [readFileSync(path)];
  try {
    parts.push(readFileSync(`${path}-wal`));
  } catch {
    // no WAL: checkpointed and truncated, or never written
  }
  return Buffer.concat(parts);
}

describe('the database files', () => {
  it('are born 0600, the write-ahead log and shared memory too, even under a permissive umask', () => {
    const dir = tempDir();
    const previous = process.umask(0o022);
    try {
      const db = openDatabase(join(dir, 'terminal.sqlite'));
      db.prepare("INSERT INTO terminal_meta (key, value) VALUES ('k', 'v')").run();
      for (const name of ['terminal.sqlite', 'terminal.sqlite-wal', 'terminal.sqlite-shm']) expect(statSync(join(dir, name)).mode & 0o777, name).toBe(0o600);
      db.close();
    } finally {
      process.umask(previous);
    }
  });
});

describe('the file vault (browser mode, Electron without a keychain)', () => {
  it('seals the HQ key with a private key file outside the database, and warns once', () => {
    const dir = tempDir();
    const { lines, logger } = logs();
    const vault = fileVault({ path: vaultKeyPath(dir), random: seededRandom(1), logger });
    const db = openDatabase(join(dir, 'terminal.sqlite'));
    const key = loadOrCreateTerminalKey(db, clock, vault);
    expect(storedKey(db)).toMatch(/^file-aes256gcm:[A-Za-z0-9_-]+$/);
    expect(statSync(vaultKeyPath(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'secrets')).mode & 0o777).toBe(0o700);
    // Opened again by a new vault on the same file (a restart): the same identity.
    const again = loadTerminalKey(db, fileVault({ path: vaultKeyPath(dir), random: seededRandom(2), logger }))!;
    expect(again.keyId).toBe(key.keyId);
    expect(lines.filter((l) => l.message === FILE_VAULT_WARNING)).toHaveLength(2);
    db.close();
  });

  it('a missing key file is a clear error, never a new identity', () => {
    const dir = tempDir();
    const db = openDatabase(join(dir, 'terminal.sqlite'));
    const key = loadOrCreateTerminalKey(db, clock, fileVault({ path: vaultKeyPath(dir), random: seededRandom(1) }));
    const before = storedKey(db);
    rmSync(vaultKeyPath(dir));
    let error: unknown;
    try {
      loadOrCreateTerminalKey(db, clock, fileVault({ path: vaultKeyPath(dir), random: seededRandom(3) }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VaultError);
    expect((error as Error).message).toMatch(/terminal-vault\.key that sealed the terminal's HQ key is missing/);
    expect(startupRefusal(error)).toMatch(/^Fidèle cannot start: .*missing.*\n.*does not make itself a new identity/);
    expect(storedKey(db)).toBe(before);
    expect(db.prepare('SELECT key_id FROM sync_identity').all()).toEqual([{ key_id: key.keyId }]);
    db.close();
  });

  it("another terminal's key file, or a damaged one, is refused", () => {
    const dir = tempDir();
    const db = openDatabase(join(dir, 'terminal.sqlite'));
    loadOrCreateTerminalKey(db, clock, fileVault({ path: vaultKeyPath(dir), random: seededRandom(1) }));
    const other = tempDir();
    fileVault({ path: vaultKeyPath(other), random: seededRandom(9) }).seal(Buffer.from('x'));
    expect(() => loadTerminalKey(db, fileVault({ path: vaultKeyPath(other), random: seededRandom(4) }))).toThrow(/does not open the terminal's HQ key/);
    writeFileSync(vaultKeyPath(dir), 'not a key\n');
    expect(() => loadTerminalKey(db, fileVault({ path: vaultKeyPath(dir), random: seededRandom(4) }))).toThrow(/not a Fidèle vault key/);
    db.close();
  });

  it('a key an older build stored plain is sealed at start, and leaves no trace in the database files', () => {
    const dir = tempDir();
    const path = join(dir, 'terminal.sqlite');
    let db = openDatabase(path);
    loadOrCreateTerminalKey(db, clock); // the old browser mode: no vault, the key plain
    const plain = storedKey(db);
    const forms = privateKeyForms(Buffer.from(plain, 'base64url'));
    expect(forms.some((form) => databaseBytes(path).includes(form))).toBe(true);
    db.close();

    db = openDatabase(path);
    const vault = fileVault({ path: vaultKeyPath(dir), random: seededRandom(5) });
    expect(sealTerminalKey(db, vault)).toBe(true);
    expect(storedKey(db)).toMatch(/^file-aes256gcm:/);
    expect(sealTerminalKey(db, vault)).toBe(false);
    expect(loadTerminalKey(db, vault)!.publicKey).toBeTruthy();
    for (const form of forms) expect(databaseBytes(path).includes(form)).toBe(false);
    db.close();
    for (const form of forms) expect(databaseBytes(path).includes(form)).toBe(false);
  });

  it('sync_identity still refuses any other change: the pair, or a key put back plain', () => {
    const db = openDatabase(':memory:');
    const vault = fileVault({ path: vaultKeyPath(tempDir()), random: seededRandom(1) });
    loadOrCreateTerminalKey(db, clock, vault);
    expect(() => db.prepare("UPDATE sync_identity SET public_key = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE sync_identity SET private_key = 'AAAA'").run()).toThrow(/append-only/);
    db.close();
  });

  it('with an OS keychain, a key the file sealed is opened and re-sealed by the keychain', () => {
    const dir = tempDir();
    const db = openDatabase(':memory:');
    const file = fileVault({ path: vaultKeyPath(dir), random: seededRandom(1) });
    const key = loadOrCreateTerminalKey(db, clock, file);
    const reversing: SafeStorageLike = {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (plain) => Buffer.from(plain, 'utf8').reverse(),
      decryptString: (sealed) => Buffer.from(sealed).reverse().toString('utf8'),
    };
    const os: KeyVault = terminalKeyVault(reversing, 'linux', file);
    expect(os.scheme).toBe('electron-safestorage');
    expect(sealTerminalKey(db, os)).toBe(true);
    expect(storedKey(db)).toMatch(/^electron-safestorage:/);
    expect(loadTerminalKey(db, os)!.keyId).toBe(key.keyId);
    // Linux basic_text is no keychain: the file vault it is.
    expect(terminalKeyVault({ ...reversing, getSelectedStorageBackend: () => 'basic_text' }, 'linux', file)).toBe(file);
    db.close();
  });
});
