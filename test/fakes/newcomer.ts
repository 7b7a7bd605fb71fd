import type { MethodName, Result, Role } from '../../src/shared/contract';

/** A newcomer's enrolment form (Léa Martin, no consents), as the customer screen sends it; `overrides` for the case at hand. */
export const newcomerForm = (overrides: Record<string, unknown> = {}) => ({
  firstName: 'Léa',
  lastName: 'Martin',
  email: 'lea.martin@example.fr',
  phone: '',
  consents: { marketing: false, personalisedOffers: false, profiling: false },
  consentWordingVersion: '2026-11.fr-1',
  locale: 'fr',
  ...overrides,
});

/** A screen's calls through the core's dispatch: `ok` fails the test with the refusal; `issueKeys` are a refusal's message keys. */
export function screenCalls(core: () => { dispatch(role: Role, method: MethodName, input: unknown): Result<unknown> | Promise<Result<unknown>> }) {
  const call = (role: Role, method: MethodName, input: unknown): Promise<Result<unknown>> => Promise.resolve(core().dispatch(role, method, input));
  const ok = async <T>(role: Role, method: MethodName, input: unknown): Promise<T> => {
    const result = await call(role, method, input);
    if (result.ok) return result.value as T;
    throw new Error(`${method} refused: ${JSON.stringify(result.error)}`);
  };
  const issueKeys = (result: Result<unknown>) => (result.ok ? [] : (result.error.issues ?? []).map((i) => i.message));
  return { call, ok, issueKeys };
}
