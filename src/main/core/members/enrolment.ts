import type { MemberSummary, ParsedInput } from '../../../shared/contract';
import { AppFailure } from '../../../shared/contract';
import { walletQrPayload } from '../../../shared/domain/card-number';
import { checkFrenchMobile } from '../../../shared/domain/phone';
import { cleanEmail, cleanName } from '../../../shared/domain/text';
import { uuidv7 } from '../ids';
import type { Clock, Random } from '../ports';
import type { MemberStore } from './member-store';

export interface EnrolmentSettings {
  terminalId: string;
  terminalCode: number;
  /** The consent wording this terminal shows (terminal.info tells the screen): the only one it records. */
  consentWordingVersion: string;
}

export interface Enrolled {
  member: MemberSummary;
  walletQr: string;
}

/**
 * Turns a validated enrolment form into a member with a card, in a single
 * transaction: either the member, card, consents and search words all exist,
 * or none of them do.
 */
export function enrolMember(
  store: MemberStore,
  form: ParsedInput<'enrolment.submit'>,
  presetCardNumber: string | null,
  settings: EnrolmentSettings,
  clock: Clock,
  random: Random,
): Enrolled {
  // The screen echoes the version it was told; any other claim means it showed other words, which this terminal cannot vouch for.
  if (form.consentWordingVersion !== settings.consentWordingVersion) {
    throw new AppFailure('conflict', `the consent wording shown here is ${settings.consentWordingVersion}, not ${form.consentWordingVersion}`, [
      { path: 'consentWordingVersion', message: 'consent.version_not_shown' },
    ]);
  }
  const email = form.email.trim() === '' ? null : cleanEmail(form.email);
  let phone: string | null = null;
  if (form.phone.trim() !== '') {
    const check = checkFrenchMobile(form.phone);
    // The schema already checked it; this only narrows the type.
    if (!check.ok) throw new AppFailure('bad_input', 'invalid phone', [{ path: 'phone', message: `phone.${check.problem}` }]);
    phone = check.e164;
  }
  return store.transaction(() => {
    if (store.findByContact(email, phone) !== null) {
      // The customer screen must not reveal whose details these are; the cashier can search.
      throw new AppFailure('conflict', 'a member already has this email or phone number', [
        { path: email ? 'email' : 'phone', message: 'enrolment.already_member' },
      ]);
    }
    let cardNumber: string;
    if (presetCardNumber !== null) {
      if (store.cardExists(presetCardNumber)) throw new AppFailure('conflict', 'this card already belongs to a member');
      cardNumber = presetCardNumber;
    } else {
      cardNumber = store.issueCardNumber(settings.terminalCode, random);
    }
    const createdAt = clock.now();
    const id = uuidv7(clock, random);
    store.insert({
      id,
      firstName: cleanName(form.firstName),
      lastName: cleanName(form.lastName),
      email,
      phone,
      locale: form.locale,
      cardNumber,
      createdAt,
      terminalId: settings.terminalId,
      consents: form.consents,
      consentWordingVersion: settings.consentWordingVersion,
      consentSource: 'self-enrolment',
    });
    const member = store.summary(id);
    if (!member) throw new Error('member vanished inside its own transaction');
    return { member, walletQr: walletQrPayload(cardNumber) };
  });
}
