import { useMemo } from 'react';
import { qrPath } from '../../shared/domain/qr-code';

interface QrCodeProps {
  value: string;
  /** What a screen reader says instead of the pattern. */
  label: string;
  className?: string;
  testId?: string;
}

/** A QR code as SVG, dark on white whatever the theme so a phone camera reads it. */
export function QrCode({ value, label, className, testId }: QrCodeProps) {
  const { size, d } = useMemo(() => qrPath(value), [value]);
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
