import { useMemo } from 'react';
import { EAN13_MODULES, ean13Bars } from '../../shared/domain/ean13-barcode';

/** Quiet zones GS1 asks for around an EAN-13, in modules; the first digit sits in the left one. */
const QUIET_LEFT = 11;
const QUIET_RIGHT = 7;
const BAR_HEIGHT = 46;
const GUARD_EXTRA = 5;
const DIGIT_SIZE = 9;

interface BarcodeProps {
  /** A valid 13-digit EAN. */
  value: string;
  /** What a screen reader says instead of the bars. */
  label: string;
  className?: string;
  testId?: string;
}

/**
 * An EAN-13 drawn as SVG, black on white whatever the theme so any till
 * scanner can read it off the glass, with the human-readable digits beneath
 * grouped as printed on the card.
 */
export function Barcode({ value, label, className, testId }: BarcodeProps) {
  const bars = useMemo(() => ean13Bars(value), [value]);
  const width = QUIET_LEFT + EAN13_MODULES + QUIET_RIGHT;
  const height = BAR_HEIGHT + GUARD_EXTRA + 5;
  const digitY = BAR_HEIGHT + DIGIT_SIZE;
  const leftDigits = [...value.slice(1, 7)];
  const rightDigits = [...value.slice(7)];
  return (
    <svg
      className={className}
      data-testid={testId}
      role="img"
      aria-label={label}
      viewBox={`0 0 ${width} ${height}`}
      shapeRendering="crispEdges"
      xmlns="http://www.w3.org/2000/svg"
    >
      <rect x={0} y={0} width={width} height={height} fill="#fff" />
      {bars.map((bar) => (
        <rect key={bar.x} x={QUIET_LEFT + bar.x} y={2} width={bar.width} height={BAR_HEIGHT - 2 + (bar.guard ? GUARD_EXTRA : 0)} fill="#000" />
      ))}
      <g aria-hidden="true" fill="#000" fontFamily="'DejaVu Sans Mono', 'Noto Sans Mono', monospace" fontSize={DIGIT_SIZE} textAnchor="middle">
        <text x={QUIET_LEFT / 2} y={digitY}>
          {value[0]}
        </text>
        {leftDigits.map((digit, i) => (
          <text key={`l${i}`} x={QUIET_LEFT + 3 + 7 * i + 3.5} y={digitY}>
            {digit}
          </text>
        ))}
        {rightDigits.map((digit, i) => (
          <text key={`r${i}`} x={QUIET_LEFT + 50 + 7 * i + 3.5} y={digitY}>
            {digit}
          </text>
        ))}
      </g>
    </svg>
  );
}
