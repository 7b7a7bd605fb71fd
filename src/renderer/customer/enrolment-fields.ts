import type { Consents, FieldIssue } from '../../shared/contract';
import { checkFrenchMobile } from '../../shared/domain/phone';
import { checkEmail, checkName } from '../../shared/domain/text';

export const TEXT_FIELDS = ['firstName', 'lastName', 'email', 'phone'] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

export const STEPS = [...TEXT_FIELDS, 'consents', 'summary'] as const;
export type Step = (typeof STEPS)[number];

export interface Draft {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  consents: Consents;
}

/** Every enrolment starts from this: empty fields and nothing ticked. */
export function blankDraft(): Draft {
  return { firstName: '', lastName: '', email: '', phone: '', consents: { marketing: false, personalisedOffers: false, profiling: false } };
}

export function isTextField(value: string): value is TextField {
  return (TEXT_FIELDS as readonly string[]).includes(value);
}

export const OPTIONAL_FIELDS: ReadonlySet<TextField> = new Set(['email', 'phone']);

/**
 * The message key of what is wrong with a field, by the same rules the core
 * applies on submit, or null. An optional field left empty is fine.
 */
export function fieldProblem(field: TextField, value: string): string | null {
  switch (field) {
    case 'firstName':
    case 'lastName': {
      const problem = checkName(value);
      return problem ? `name.${problem}` : null;
    }
    case 'email': {
      if (value.trim() === '') return null;
      const problem = checkEmail(value);
      return problem ? `email.${problem}` : null;
    }
    case 'phone': {
      if (value.trim() === '') return null;
      const check = checkFrenchMobile(value);
      return check.ok ? null : `phone.${check.problem}`;
    }
  }
}

/**
 * What to show while the customer is still typing: everything but "required",
 * which would scold them before they have had a chance to start.
 */
export function liveProblem(field: TextField, value: string, attempted: boolean): string | null {
  const problem = fieldProblem(field, value);
  if (problem === 'name.empty' && !attempted) return null;
  return problem;
}

export interface SortedIssues {
  fields: Partial<Record<TextField, string>>;
  general: string[];
}

/** Sorts the core's field issues into those the form can show on a field and the rest. */
export function sortIssues(issues: readonly FieldIssue[] | undefined): SortedIssues {
  const sorted: SortedIssues = { fields: {}, general: [] };
  for (const issue of issues ?? []) {
    // "Already a member" is about the person, not a typo in the field.
    if (isTextField(issue.path) && issue.message !== 'enrolment.already_member') sorted.fields[issue.path] ??= issue.message;
    else if (!sorted.general.includes(issue.message)) sorted.general.push(issue.message);
  }
  return sorted;
}
