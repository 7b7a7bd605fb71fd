import { ApiError } from '../api/client';

type Translate = (key: string) => string;

/**
 * What to tell the user about a failed call. Field issues are more precise
 * than the error code, and their messages are already keys; a message the
 * catalogs do not know (a schema default) falls back to the code's text
 * rather than showing the user raw English.
 */
export function errorText(error: unknown, t: Translate): string[] {
  if (!(error instanceof ApiError)) return [t('error.internal')];
  const fallback = t(`error.${error.code}`);
  const fromIssues = (error.issues ?? []).map((issue) => {
    const text = t(issue.message);
    return text === issue.message ? fallback : text;
  });
  const texts = fromIssues.length > 0 ? fromIssues : [fallback];
  return [...new Set(texts)];
}
