import qrcode from 'qrcode-generator';
import { useMemo } from 'react';

/** The quiet zone the QR specification asks for, in modules. */
const MARGIN = 4;

interface QrCodeProps {
  value: string;
  /** What a screen reader says instead of the pattern. */
  label: string;
  className?: string;
  testId?: string;
}

/** One path for all the dark modules, a horizontal run per segment: small DOM, crisp at any size. */
function darkModulesPath(value: string): { size: number; d: string } {
  // Medium error correction survives a glare spot on the glass at a modest size.
  const qr = qrcode(0, 'M');
  qr.addData(value, 'Byte');
  qr.make();
  const count = qr.getModuleCount();
  const segments: string[] = [];
  for (let row = 0; row < count; row++) {
    let col = 0;
    while (col < count) {
      if (!qr.isDark(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < count && qr.isDark(row, col)) col++;
      segments.push(`M${start + MARGIN} ${row + MARGIN}h${col - start}v1h${start - col}z`);
    }
  }
  return { size: count + 2 * MARGIN, d: segments.join('') };
}

/** A QR code as SVG, dark on white whatever the theme so a phone camera reads it. */
export function QrCode({ value, label, className, testId }: QrCodeProps) {
  const { size, d } = useMemo(() => darkModulesPath(value), [value]);
  return (
    <svg
      className={className}
      data-testid={testId}
      role="img"
      aria-label={label}
      viewBox={`0 0 ${size} ${size}`}
      shapeRendering="crispEdges"
      xmlns="http://www.w3.org/2000/svg"
    >
      <rect x={0} y={0} width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
