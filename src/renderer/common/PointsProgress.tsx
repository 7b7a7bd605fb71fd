import type { NextReward } from '../../shared/contract';
import './points-progress.css';

interface PointsProgressProps {
  balance: number;
  nextReward: NextReward;
  /** The sentence under the bar, already translated (« Plus que 155 pts pour… »). */
  caption: string;
  /** What the bar measures, for assistive technology: a progress bar without a name is announced as a bare percentage. */
  label: string;
  className?: string;
  testId?: string;
}

/** How far the balance has come towards the next reward, as a bar with its sentence. */
export function PointsProgress({ balance, nextReward, caption, label, className, testId }: PointsProgressProps) {
  const max = nextReward?.points ?? 1;
  const now = nextReward ? Math.min(Math.max(balance, 0), max) : max;
  const percent = Math.round((now / max) * 100);
  return (
    <div className={`points-progress ${className ?? ''}`} data-testid={testId}>
      <div
        className="points-progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={now}
        aria-valuetext={caption}
      >
        <div className="points-progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <p className="points-progress-caption">{caption}</p>
    </div>
  );
}
