import type { z } from 'zod';
import { AppFailure, type FieldIssue } from '../../../shared/contract';

export * from '../../../shared/contract/ledger-inputs';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues: FieldIssue[] = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  throw new AppFailure('bad_input', `invalid ${what}`, issues);
}
