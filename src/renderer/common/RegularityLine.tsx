import { regularityWords, type RegularityView } from '../../shared/programme/regularity';
import { useApp } from './app-context';
import './regularity-line.css';

/**
 * Regularity (issue 14 item 5), worded as on the receipt: « 3 semaines
 * d'affilée ! », the weeks with a visit among the last twelve as a row of
 * marks, and what the next streak bonus asks. The same on the till and the
 * customer screen, where `compact` puts the next bonus on the line of the
 * weeks (the greeting must leave the card and the points their room);
 * nothing when the programme has no regularity.
 */
export function RegularityLine({
  regularity,
  className,
  testId,
  compact = false,
}: {
  regularity: RegularityView | null | undefined;
  className?: string;
  testId: string;
  compact?: boolean;
}) {
  const { t } = useApp();
  if (!regularity) return null;
  const words = regularityWords(t, regularity);
  const next = words.next && (
    <span className="regularity-next" data-testid={`${testId}-next`}>
      {words.next}
    </span>
  );
  return (
    <div className={`regularity-line${className ? ` ${className}` : ''}`} data-testid={testId} data-streak={regularity.streak}>
      {words.streak && (
        <p className="regularity-streak" data-testid={`${testId}-streak`}>
          {words.streak}
        </p>
      )}
      <p className="regularity-weeks">
        <span className="regularity-marks" aria-hidden="true">
          {regularity.weeks.map((visited, i) => (
            <span key={i} className={visited ? 'on' : ''} />
          ))}
        </span>{' '}
        {words.weeks}
        {compact && next && <> · {next}</>}
      </p>
      {!compact && next && <p>{next}</p>}
    </div>
  );
}
