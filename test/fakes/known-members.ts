import type { MemberSummary } from '../../src/shared/contract';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { parseConfig, type TerminalConfig } from '../../src/main/core/config/terminal-config';
import { uuidv7 } from '../../src/main/core/ids';
import type { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom } from '../../src/main/core/ports';

export function testConfig(overrides: Partial<TerminalConfig> = {}): TerminalConfig {
  return parseConfig(
    {
      terminalId: 'test-t1',
      terminalCode: 42,
      storeName: 'Magasin de test',
      locale: 'fr',
      devices: 'simulated',
      enrolmentIdleMs: 60_000,
      enrolmentMaxMs: 600_000,
      consentWordingVersion: '2026-11.fr-1',
      privacyNoticeUrl: 'https://fidele.example/confidentialite',
      demoSeed: null,
      ...overrides,
    },
    'test',
  );
}

const PEOPLE = {
  claire: { firstName: 'Claire', lastName: 'Dupont', email: 'claire.dupont@example.com', phone: '+33612345678' },
  helene: { firstName: 'Hélène', lastName: 'Lefèvre', email: 'helene.lefevre@example.org', phone: '+33698765432' },
  jeanPierre: { firstName: 'Jean-Pierre', lastName: "D'Almeida", email: null, phone: '+33755501234' },
  zoe: { firstName: 'Zoë', lastName: 'Le Gall', email: 'zoe@example.net', phone: null },
} as const;

export type KnownMembers = Record<keyof typeof PEOPLE, MemberSummary>;
/** Who the known members are, as typed at enrolment: the terminal keeps only masks and hashes of their contacts. */
export const KNOWN_PEOPLE = PEOPLE;

/** A few members the tests can name, with card serials 1.. under terminal code 9990. */
export function insertKnownMembers(store: MemberStore, createdAt = Date.UTC(2024, 2, 14, 10)): KnownMembers {
  const random = seededRandom(99);
  const clock = { now: () => createdAt };
  const known = {} as KnownMembers;
  let serial = 1;
  store.transaction(() => {
    for (const [key, person] of Object.entries(PEOPLE) as Array<[keyof typeof PEOPLE, (typeof PEOPLE)[keyof typeof PEOPLE]]>) {
      const id = uuidv7(clock, random);
      store.insert({
        id,
        ...person,
        locale: 'fr',
        cardNumber: makeCardNumber(9990, serial++),
        createdAt,
        terminalId: 'test-t1',
        consents: { marketing: true, personalisedOffers: false, profiling: false },
        consentWordingVersion: '2026-11.fr-1',
        consentSource: 'test',
      });
      known[key] = store.summary(id)!;
    }
  });
  return known;
}
