import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * A look at the write-ahead log before SQLite opens it.
 *
 * When SQLite recovers a WAL it keeps the frames up to the last commit that
 * precedes the first frame failing its checksum, and silently drops the rest.
 * After a power cut that is right: only the last transaction can be torn,
 * because `synchronous=FULL` syncs the WAL before each commit returns, and
 * that transaction was never acknowledged. But a damaged frame with further
 * commits after it (a bad sector, a bit flip, a copy cut short and patched)
 * means transactions that were acknowledged — printed receipts — would vanish
 * with `quick_check` still saying "ok", and the hash chain still verifying
 * (it is merely shorter). So the terminal refuses to open such a file.
 *
 * Format: https://www.sqlite.org/fileformat2.html#walformat
 */
export interface WalScan {
  /** Whole frames in the file. */
  frames: number;
  /** Commits SQLite will keep. */
  keptCommits: number;
  /** The first frame SQLite will reject (0-based), or null if every frame is valid. */
  firstBadFrame: number | null;
  /** Commits of this WAL generation at or after the first bad frame, which SQLite would drop. */
  droppedCommits: number;
  /** Whether the header itself is valid; if not, SQLite ignores the whole file. */
  headerValid: boolean;
}

const HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;
const WAL_VERSION = 3007000;

/** SQLite's WAL checksum: pairs of 32-bit words, in the byte order the magic number names. */
function checksum(bytes: Uint8Array, bigEndian: boolean, s: [number, number]): [number, number] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let [s1, s2] = s;
  for (let i = 0; i < bytes.byteLength; i += 8) {
    s1 = (s1 + view.getUint32(i, !bigEndian) + s2) >>> 0;
    s2 = (s2 + view.getUint32(i + 4, !bigEndian) + s1) >>> 0;
  }
  return [s1, s2];
}

export function scanWal(walPath: string): WalScan | null {
  if (!existsSync(walPath)) return null;
  const fd = openSync(walPath, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < HEADER_BYTES) return null;
    const header = Buffer.alloc(HEADER_BYTES);
    readSync(fd, header, 0, HEADER_BYTES, 0);
    const magic = header.readUInt32BE(0);
    const pageSize = header.readUInt32BE(8);
    const salt1 = header.readUInt32BE(16);
    const salt2 = header.readUInt32BE(20);
    const bigEndian = (magic & 1) === 1;
    const pageSizeOk = pageSize >= 512 && pageSize <= 65536 && (pageSize & (pageSize - 1)) === 0;
    let running = checksum(header.subarray(0, 24), bigEndian, [0, 0]);
    const headerValid =
      (magic & 0xfffffffe) === 0x377f0682 &&
      header.readUInt32BE(4) === WAL_VERSION &&
      pageSizeOk &&
      running[0] === header.readUInt32BE(24) &&
      running[1] === header.readUInt32BE(28);
    if (!pageSizeOk) return { frames: 0, keptCommits: 0, firstBadFrame: null, droppedCommits: 0, headerValid };

    const frameBytes = FRAME_HEADER_BYTES + pageSize;
    const frames = Math.floor((size - HEADER_BYTES) / frameBytes);
    const frame = Buffer.alloc(frameBytes);
    let keptCommits = 0;
    let firstBad: number | null = headerValid ? null : 0;
    let droppedCommits = 0;
    for (let i = 0; i < frames; i++) {
      readSync(fd, frame, 0, frameBytes, HEADER_BYTES + i * frameBytes);
      const pageNumber = frame.readUInt32BE(0);
      const commit = frame.readUInt32BE(4) !== 0;
      const ours = frame.readUInt32BE(8) === salt1 && frame.readUInt32BE(12) === salt2;
      if (firstBad === null) {
        let valid = ours && pageNumber !== 0;
        if (valid) {
          // The frame's checksum covers its first 8 header bytes and the page, chained from the previous frame.
          const next = checksum(frame.subarray(FRAME_HEADER_BYTES), bigEndian, checksum(frame.subarray(0, 8), bigEndian, running));
          valid = next[0] === frame.readUInt32BE(16) && next[1] === frame.readUInt32BE(20);
          if (valid) running = next;
        }
        if (valid) {
          if (commit) keptCommits++;
          continue;
        }
        firstBad = i;
      }
      // Past the first bad frame nothing can be checksummed (the chain is broken); frames of this
      // generation still carry its salts, and a commit among them is a transaction SQLite would drop.
      if (ours && commit) droppedCommits++;
    }
    return { frames, keptCommits, firstBadFrame: firstBad, droppedCommits, headerValid };
  } finally {
    closeSync(fd);
  }
}
