import qrcode from 'qrcode-generator';

/**
 * QR symbols for every surface that draws one (the screens, the receipt, HQ's
 * card page), from the one encoder, so what a phone reads off the glass is
 * what it reads off paper. Medium error correction survives a glare spot on
 * the glass or a crease in the paper at a modest size.
 */

/** The quiet zone the QR specification asks for, in modules. */
export const QR_QUIET_ZONE = 4;

/** The QR symbol of a payload: alphanumeric mode when the payload allows it (denser), as printers choose too. */
export function qrMatrix(payload: string): boolean[][] {
  const code = qrcode(0, 'M');
  code.addData(payload, /^[0-9A-Z $%*+\-./:]+$/.test(payload) ? 'Alphanumeric' : 'Byte');
  code.make();
  const size = code.getModuleCount();
  return Array.from({ length: size }, (_, row) => Array.from({ length: size }, (_, col) => code.isDark(row, col)));
}

/**
 * The dark modules as one SVG path in module units, quiet zone included: a
 * horizontal run per segment, so the drawing stays small and crisp at any size.
 */
export function qrPath(payload: string): { size: number; d: string } {
  const matrix = qrMatrix(payload);
  const segments: string[] = [];
  matrix.forEach((row, r) => {
    let col = 0;
    while (col < row.length) {
      if (!row[col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < row.length && row[col]) col++;
      segments.push(`M${start + QR_QUIET_ZONE} ${r + QR_QUIET_ZONE}h${col - start}v1h${start - col}z`);
    }
  });
  return { size: matrix.length + 2 * QR_QUIET_ZONE, d: segments.join('') };
}
