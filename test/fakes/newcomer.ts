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
