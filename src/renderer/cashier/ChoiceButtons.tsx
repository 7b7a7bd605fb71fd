import type { ReactNode } from 'react';

interface ChoiceButtonsProps<T extends string> {
  legend: string;
  options: readonly T[];
  value: NoInfer<T> | null;
  label(option: NoInfer<T>): string;
  onChange(option: NoInfer<T>): void;
  /** What the choice asks for next (a gesture's amount), inside the same group. */
  children?: ReactNode;
}

/** One choice among a few, as large toggle buttons (a touch each), grouped under their legend. */
export function ChoiceButtons<T extends string>({ legend, options, value, label, onChange, children }: ChoiceButtonsProps<T>) {
  return (
    <fieldset className="incident-choices">
      <legend>{legend}</legend>
      <div className="incident-buttons">
        {options.map((option) => (
          <button key={option} type="button" aria-pressed={value === option} className={value === option ? 'chosen' : undefined} onClick={() => onChange(option)}>
            {label(option)}
          </button>
        ))}
      </div>
      {children}
    </fieldset>
  );
}
