import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Release files in HQ's data folder (releases/), named by their content
 * (sha512, hex): a build published again under another version is stored
 * once, and no name a person typed ever becomes a path. Copied as a stream
 * (an AppImage is 150 MB and more) while its sha512 and size are computed.
 */
export const RELEASES_DIR = 'releases';

export interface StoredArtifact {
  /** The file's name in releases/. */
  blob: string;
  /** base64 of the 64 bytes, as electron-updater's feeds carry it. */
  sha512: string;
  size: number;
}

export function releasesDir(dataDir: string): string {
  return join(dataDir, RELEASES_DIR);
}

export function blobPath(dataDir: string, blob: string): string {
  if (!/^sha512-[0-9a-f]{128}$/.test(blob)) throw new Error(`not a release blob name: ${blob}`);
  return join(releasesDir(dataDir), blob);
}

/** Copies `file` into releases/ and hashes it on the way; the copy appears under its final name only once complete. */
export async function storeArtifact(dataDir: string, file: string): Promise<StoredArtifact> {
  const dir = releasesDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.incoming-${randomBytes(8).toString('hex')}`);
  const hash = createHash('sha512');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(file), tap, createWriteStream(tmp, { mode: 0o600, flags: 'wx' }));
    const digest = hash.digest();
    const blob = `sha512-${digest.toString('hex')}`;
    const final = join(dir, blob);
    if (existsSync(final) && statSync(final).size === size) rmSync(tmp, { force: true });
    else renameSync(tmp, final);
    return { blob, sha512: digest.toString('base64'), size };
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** Removes a blob no release refers to (a publication refused after the copy). */
export function removeBlob(dataDir: string, blob: string): void {
  rmSync(blobPath(dataDir, blob), { force: true });
}
