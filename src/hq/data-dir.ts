import { privateDataDir } from '../main/core/security/private-files';

/**
 * HQ's data folder (its signing key, PGlite's files, the running-server note)
 * is the owner's alone: the folder and its sub-folders 0700, every file 0600.
 * Called before the database opens (the umask for what HQ writes, and files
 * an older build left readable) and again once it is open: PGlite gives the
 * files it creates 0666 whatever the umask. Files PGlite adds later (new WAL
 * segments) sit behind the 0700 folders, out of other users' reach.
 * Returns the paths whose mode changed.
 */
export function privateHqDataDir(dataDir: string): string[] {
  return privateDataDir(dataDir);
}
