import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Folders the owner alone may list or enter; files the owner alone may read or write. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** Whatever the process creates from now on (SQLite, PGlite, logs, temp files) is born private. */
export const PRIVATE_UMASK = 0o077;

/**
 * Makes the process create private files from now on. Refused inside worker
 * threads (Node throws there); the folder walk below still fixes what exists.
 */
export function privateUmask(): boolean {
  try {
    process.umask(PRIVATE_UMASK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates `dir` if needed and brings it and everything under it to 0700
 * (folders) and 0600 (files): a terminal or HQ upgraded from a build that left
 * its data world-readable (0644 files in 0755 folders) is locked down at its
 * next start. Symbolic links are not followed. Returns the paths it changed.
 * On Windows modes mean little; the folder's ACL is the installer's business.
 */
export function lockDownDir(dir: string): string[] {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const changed: string[] = [];
  const visit = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    const wanted = stat.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
    if ((stat.mode & 0o777) !== wanted) {
      chmodSync(path, wanted);
      changed.push(path);
    }
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return changed;
}

/** The process's files from now on, and the data folder as it stands: both private. */
export function privateDataDir(dir: string): string[] {
  privateUmask();
  return lockDownDir(dir);
}
