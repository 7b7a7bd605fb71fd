import { crc32, deflateSync } from 'node:zlib';

/**
 * The card page's home-screen icon, drawn at start rather than shipped as a
 * binary file: HQ's brand blue, full bleed (a launcher may crop it to any
 * shape, so the drawing keeps to the central safe zone), with a white card
 * carrying a few bars. PNG because that is what launchers and iOS's
 * apple-touch-icon accept everywhere.
 */
const BLUE = [0x1f, 0x5f, 0xbf] as const;
const WHITE = [0xff, 0xff, 0xff] as const;
const INK = [0x17, 0x20, 0x2a] as const;

/** Bar widths, in eighths of the card's inner width, alternating bar and gap. */
const BARS = [0.5, 0.5, 1, 0.5, 0.5, 1, 1, 0.5, 0.5, 0.5, 1, 0.5];

function pixel(size: number, x: number, y: number): readonly number[] {
  const u = x / size;
  const v = y / size;
  // The card: 56 % wide, 36 % tall, centred, inside the 80 % safe circle of a maskable icon.
  const left = 0.22;
  const right = 0.78;
  const top = 0.32;
  const bottom = 0.68;
  const r = 0.04;
  if (u < left || u > right || v < top || v > bottom) return BLUE;
  const cx = Math.min(Math.max(u, left + r), right - r);
  const cy = Math.min(Math.max(v, top + r), bottom - r);
  if ((u - cx) ** 2 + (v - cy) ** 2 > r * r) return BLUE;
  // Bars across the lower half of the card.
  if (v < 0.47 || v > 0.62) return WHITE;
  const inner = (u - 0.28) / 0.44;
  if (inner < 0 || inner > 1) return WHITE;
  let at = 0;
  const total = BARS.reduce((a, b) => a + b, 0);
  for (const [i, w] of BARS.entries()) {
    at += w / total;
    if (inner <= at) return i % 2 === 0 ? INK : WHITE;
  }
  return WHITE;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function drawPng(size: number): Buffer {
  const row = 1 + size * 3;
  const raw = Buffer.alloc(row * size);
  for (let y = 0; y < size; y++) {
    // Filter type 0 (none) at the start of each scanline.
    for (let x = 0; x < size; x++) raw.set(pixel(size, x + 0.5, y + 0.5), y * row + 1 + x * 3);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, deflate, no filter choice, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const drawn = new Map<number, Buffer>();

/** The icon as a PNG of `size` × `size` pixels, drawn once. */
export function cardIcon(size: number): Buffer {
  let png = drawn.get(size);
  if (!png) drawn.set(size, (png = drawPng(size)));
  return png;
}
