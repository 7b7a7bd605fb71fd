import type { Clock, Random } from './ports';

/**
 * UUIDv7 (RFC 9562): time-ordered, so ids sort by creation and index well, and
 * unique across terminals without coordination.
 */
export function uuidv7(clock: Clock, random: Random): string {
  const bytes = random.bytes(16);
  const ms = clock.now();
  // 48-bit big-endian millisecond timestamp.
  let t = ms;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
