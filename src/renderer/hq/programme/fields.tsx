import { createContext, useContext, type ReactNode } from 'react';
import { useLocale } from '../text';
import { fieldId, type Problem } from './model';

/**
 * The editor's fields: each has its label, and the problems HQ's validator
 * placed on its path listed under it, in the console's language, with the
 * path, linked by aria-describedby (and aria-invalid when one is an error).
 */
export interface ProblemsAt {
  at(path: string): Problem[];
}

export const ProblemsContext = createContext<ProblemsAt>({ at: () => [] });

export function ProblemList({ id, problems }: { id: string; problems: readonly Problem[] }) {
  const locale = useLocale();
  if (problems.length === 0) return null;
  return (
    <ul id={id} className="pg-problems">
      {problems.map((p, i) => (
        <li key={`${p.key}-${i}`} className={p.severity} data-problem={p.key}>
          <code>{p.path || '(document)'}</code> {p[locale]}
        </li>
      ))}
    </ul>
  );
}

/** What a field's control needs to be linked to its label and its problems. */
export interface Control {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

/** A label, the control (given its ids), a hint, and the field's problems. */
export function Field({ path, label, hint, wide, children }: { path: string; label: string; hint?: string; wide?: boolean; children: (control: Control) => ReactNode }) {
  const { at } = useContext(ProblemsContext);
  const problems = at(path);
  const id = fieldId(path);
  const described = [hint ? `${id}-hint` : null, problems.length > 0 ? `${id}-problems` : null].filter((x) => x !== null).join(' ');
  return (
    <div className={`pg-field${wide ? ' wide' : ''}${problems.some((p) => p.severity === 'error') ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(described ? { 'aria-describedby': described } : {}), ...(problems.some((p) => p.severity === 'error') ? { 'aria-invalid': true as const } : {}) })}
      {hint ? (
        <span className="pg-hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      <ProblemList id={`${id}-problems`} problems={problems} />
    </div>
  );
}

/** A text or number field on one value of the draft. */
export function TextField({
  path,
  label,
  value,
  onChange,
  hint,
  inputMode,
  type = 'text',
  wide,
}: {
  path: string;
  label: string;
  value: string;
  onChange: (text: string) => void;
  hint?: string;
  inputMode?: 'numeric' | 'decimal';
  type?: 'text' | 'time' | 'date' | 'datetime-local';
  wide?: boolean;
}) {
  return (
    <Field path={path} label={label} hint={hint} wide={wide}>
      {(control) => <input {...control} type={type} inputMode={inputMode} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

/** A group of fields (one reward, the earn rate…) with its legend and the problems placed on the group itself. */
export function Group({ path, legend, children, actions }: { path: string; legend: string; children: ReactNode; actions?: ReactNode }) {
  const { at } = useContext(ProblemsContext);
  const problems = at(path);
  const id = fieldId(path);
  return (
    <fieldset className={`pg-group${problems.some((p) => p.severity === 'error') ? ' has-error' : ''}`} id={id} aria-describedby={problems.length > 0 ? `${id}-problems` : undefined}>
      <legend>{legend}</legend>
      <div className="pg-fields">{children}</div>
      {actions ? <div className="pg-group-actions">{actions}</div> : null}
      <ProblemList id={`${id}-problems`} problems={problems} />
    </fieldset>
  );
}
