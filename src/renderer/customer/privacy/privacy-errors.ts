import { ApiError } from '../../api/client';

type Translate = (key: string, params?: Record<string, string | number>) => string;

const time = (ms: number, locale: string) => new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'fr-FR', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' }).format(new Date(ms));

/**
 * What the customer reads when self-service refuses: the core passes HQ's
 * reason as a message key (issue path `privacy`), with the tries left or the
 * end of the cool-down when HQ gave them. Field problems are the enrolment's keys.
 */
export function privacyErrorText(error: unknown, t: Translate, locale: string): string {
  if (!(error instanceof ApiError)) return t('privacy.error.other');
  const issue = (path: string) => error.issues?.find((i) => i.path === path)?.message;
  const key = issue('privacy');
  if (key === 'privacy.error.wrong_code') return t(key, { tries: issue('triesLeft') ?? '?' });
  if (key === 'privacy.error.locked' || key === 'privacy.error.too_many_codes') return t(key, { time: time(Number(issue('retryAt') ?? Date.now()), locale) });
  if (key) return t(key);
  const code = issue('code');
  if (code) return t(code === 'privacy.code_format' ? 'privacy.error.code_format' : code);
  return t('privacy.error.other');
}

/** The field problems of a refused correction, by field (keys the screens translate). */
export function fieldIssues(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || error.code !== 'bad_input') return {};
  return Object.fromEntries((error.issues ?? []).filter((i) => ['firstName', 'lastName', 'email', 'phone'].includes(i.path)).map((i) => [i.path, i.message]));
}
