import { AppFailure, type ErrorCode, type Role } from '../../../shared/contract';
import {
  normalRectification,
  PRIVACY_EXPORT_PATH,
  PrivacySelfAnswers,
  type HqMemberData,
  type PrivacyAccessView,
  type PrivacyChallengeView,
  type PrivacySelfEvent,
  type PrivacySelfOp,
  type PrivacySelfRequest,
  type Rectification,
} from '../../../shared/contract/privacy-self';
import { PROTOCOL_VERSION } from '../../../shared/sync/protocol';
import type { MemberStore } from '../members/member-store';
import type { Clock } from '../ports';
import type { Enrolment } from '../sync/enrolment';
import type { Stamp } from '../sync/hq-clock';
import type { TerminalKey } from '../sync/keys';
import type { TransportResult } from '../sync/transport';
import type { LookupLog } from './lookup-log';

/** How the core reaches HQ: the sync client's signed post (null before enrolment or without an HQ). */
export type SignedPost = <T>(path: string, build: (stamp: Stamp, key: TerminalKey, enrolment: Enrolment) => T) => Promise<TransportResult | null>;

export interface SelfServiceDeps {
  post: SignedPost | null;
  /** HQ's address as this terminal reaches it: export links are built on it. */
  hqUrl: string | null;
  members: MemberStore;
  lookups: LookupLog;
  clock: Clock;
  /** The member both screens show now, if any. */
  shownMemberId(): string | null;
  /** The card the screens show: an erasure names it, and HQ checks it is the member's. */
  shownCard(): string | null;
  /** The member's chain-wide balance as this terminal has it. */
  balance(memberId: string): number;
  /** This terminal's tier and value segment of the member (HQ's, pulled). */
  tier(memberId: string): { id: string; label: { fr: string; en: string } } | null;
  segment(memberId: string): string | null;
  emit(event: PrivacySelfEvent): void;
  /** The member was erased at HQ: the screens let go of them and the next pull brings the tombstone. */
  erased(memberId: string): void;
}

interface Proof {
  memberId: string;
  by: 'cashier' | 'customer';
  challengeId: string | null;
  session: string | null;
  until: number;
}

/** HQ's refusal codes and what the screens are told (the message key travels as the issue's message). */
const REFUSALS: Record<string, ErrorCode> = {
  wrong_code: 'bad_input',
  invalid: 'bad_input',
  locked: 'rate_limited',
  too_many_codes: 'rate_limited',
  code_expired: 'conflict',
  code_used: 'conflict',
  unknown_code: 'conflict',
  session_expired: 'conflict',
  no_contact: 'conflict',
  unknown_member: 'not_found',
  erasure_unavailable: 'unavailable',
  card_not_theirs: 'forbidden',
  sale_in_flight: 'busy',
  forfeit_changed: 'conflict',
};

/**
 * Self-service privacy on the terminal (issue 17 item 2): the customer screen
 * (or the till, for the member it shows) asks HQ for a one-time code; the
 * customer types it; HQ's session token is then held here, in memory only,
 * for the member shown and until HQ's expiry or the member leaves the
 * screens, whichever comes first. Every read and change goes to HQ under that
 * token: the terminal holds hashes and masks of contacts and could not answer
 * on its own, and HQ's guard on wrong codes holds across all terminals.
 */
export class SelfService {
  private proof: Proof | null = null;

  constructor(private readonly d: SelfServiceDeps) {}

  /** The screens moved on: a proof never outlives the member it was given for. */
  shownChanged(): void {
    if (this.proof && this.d.shownMemberId() !== this.proof.memberId) this.end();
  }

  async start(role: Role, memberId: string, channel: 'email' | 'sms' | null): Promise<PrivacyChallengeView> {
    if (this.d.shownMemberId() !== memberId) throw new AppFailure('forbidden', 'self-service is for the member the screens show', [{ path: 'memberId', message: 'privacy.error.not_shown' }]);
    const by = role === 'cashier' ? 'cashier' : 'customer';
    const answer = await this.ask({ op: 'challenge', memberId, channel }, 'challenge');
    this.proof = { memberId, by, challengeId: answer.challengeId, session: null, until: answer.expiresAt };
    const challenge = { memberId, channel: answer.channel, destination: answer.destination, expiresAt: answer.expiresAt };
    this.d.emit({ memberId, state: 'code_sent', by, at: this.d.clock.now(), challenge });
    return challenge;
  }

  async verify(code: string): Promise<PrivacyAccessView> {
    const proof = this.current();
    if (!proof.challengeId) throw new AppFailure('conflict', 'no code was asked for', [{ path: 'code', message: 'privacy.error.code_expired' }]);
    const answer = await this.ask({ op: 'verify', challengeId: proof.challengeId, code }, 'verify');
    proof.session = answer.session;
    proof.challengeId = null;
    proof.until = answer.expiresAt;
    this.d.emit({ memberId: proof.memberId, state: 'verified', by: proof.by, at: this.d.clock.now(), challenge: null });
    return this.view();
  }

  async view(): Promise<PrivacyAccessView> {
    const proof = this.proven();
    const data = await this.ask({ op: 'view', session: proof.session! }, 'view');
    return this.accessView(proof, data);
  }

  /** Corrected at HQ first; here only once HQ took it, re-hashed and re-masked as any record from HQ. */
  async rectify(input: Rectification): Promise<PrivacyAccessView> {
    const proof = this.proven();
    const clean = normalRectification(input);
    await this.ask({ op: 'rectify', session: proof.session!, ...clean }, 'rectify');
    const detail = this.d.members.detail(proof.memberId);
    if (detail) {
      this.d.members.transaction(() =>
        this.d.members.upsertFromHq({ memberId: proof.memberId, ...clean, locale: detail.locale, cards: detail.cards, createdAt: detail.memberSince }, this.d.clock.now()),
      );
    }
    return this.view();
  }

  async exportLink(): Promise<{ url: string; expiresAt: number }> {
    const proof = this.proven();
    if (!this.d.hqUrl) throw new AppFailure('unavailable', 'no HQ is configured', [{ path: 'privacy', message: 'privacy.error.offline' }]);
    const answer = await this.ask({ op: 'export', session: proof.session! }, 'export');
    return { url: `${this.d.hqUrl.replace(/\/$/, '')}${PRIVACY_EXPORT_PATH}${answer.token}`, expiresAt: answer.expiresAt };
  }

  /** `confirmedForfeit`: the points the customer was shown as lost; HQ erases nothing if they changed since. */
  async erase(confirmedForfeit: number): Promise<{ erased: true; receiptId: string }> {
    const proof = this.proven();
    const cardNumber = this.d.shownCard();
    if (!cardNumber) throw new AppFailure('conflict', 'no card is shown', [{ path: 'privacy', message: 'privacy.error.not_shown' }]);
    const answer = await this.ask({ op: 'erase', session: proof.session!, cardNumber, confirmedForfeit }, 'erase');
    this.proof = null;
    this.d.emit({ memberId: proof.memberId, state: 'erased', by: proof.by, at: this.d.clock.now(), challenge: null });
    this.d.erased(proof.memberId);
    return { erased: true, receiptId: answer.receiptId };
  }

  end(): void {
    const proof = this.proof;
    this.proof = null;
    if (proof) this.d.emit({ memberId: proof.memberId, state: 'ended', by: proof.by, at: this.d.clock.now(), challenge: null });
  }

  private current(): Proof {
    const proof = this.proof;
    if (!proof || this.d.shownMemberId() !== proof.memberId) {
      throw new AppFailure('conflict', 'no self-service is open for the member shown', [{ path: 'privacy', message: 'privacy.error.not_shown' }]);
    }
    return proof;
  }

  private proven(): Proof {
    const proof = this.current();
    if (!proof.session || proof.until <= this.d.clock.now()) {
      throw new AppFailure('conflict', 'the proof of identity has expired', [{ path: 'privacy', message: 'privacy.error.session_expired' }]);
    }
    return proof;
  }

  private accessView(proof: Proof, data: HqMemberData): PrivacyAccessView {
    // A consent changed here and not yet at HQ is the one in force: the latest of both, per purpose.
    const consents = new Map(data.consents.map((c) => [c.purpose, c]));
    for (const c of this.d.members.detail(proof.memberId)?.consents ?? []) {
      const known = consents.get(c.purpose);
      if (!known || known.recordedAt <= c.recordedAt) consents.set(c.purpose, c);
    }
    const tier = this.d.tier(proof.memberId);
    return {
      ...data,
      memberId: proof.memberId,
      consents: [...consents.values()],
      balance: this.d.balance(proof.memberId),
      tier: tier?.id ?? data.tier,
      tierLabel: tier?.label ?? null,
      segment: this.d.segment(proof.memberId) ?? data.segment,
      lookups: this.d.lookups.of(proof.memberId, 50),
      until: proof.until,
    };
  }

  /** One signed request to HQ; its refusal becomes an AppFailure the screens translate (issues carry the key and numbers). */
  private async ask<K extends keyof typeof PrivacySelfAnswers>(request: PrivacySelfOp, op: K): Promise<ReturnType<(typeof PrivacySelfAnswers)[K]['parse']>> {
    const offline = () => new AppFailure('unavailable', 'HQ cannot be reached', [{ path: 'privacy', message: 'privacy.error.offline' }]);
    if (!this.d.post) throw offline();
    const result = await this.d.post<PrivacySelfRequest>('/v1/privacy/self', (stamp, key, enrolment) => {
      const unsigned: Omit<PrivacySelfRequest, 'signature'> = { protocolVersion: PROTOCOL_VERSION, terminalId: enrolment.terminalId, request, ...stamp, keyId: key.keyId };
      return { ...unsigned, signature: key.sign(unsigned) };
    });
    if (!result || result.kind !== 'answer') throw offline();
    if (result.status !== 200) {
      const error = (result.body as { error?: { code?: unknown; triesLeft?: unknown; retryAt?: unknown } } | null)?.error;
      const code = typeof error?.code === 'string' ? error.code : 'other';
      const issues = [{ path: 'privacy', message: `privacy.error.${code in REFUSALS ? code : 'other'}` }];
      if (typeof error?.triesLeft === 'number') issues.push({ path: 'triesLeft', message: String(error.triesLeft) });
      if (typeof error?.retryAt === 'number') issues.push({ path: 'retryAt', message: String(error.retryAt) });
      throw new AppFailure(REFUSALS[code] ?? (result.status >= 500 ? 'unavailable' : 'conflict'), `HQ refused: ${code}`, issues);
    }
    const parsed = PrivacySelfAnswers[op].safeParse(result.body);
    if (!parsed.success) throw offline();
    return parsed.data as ReturnType<(typeof PrivacySelfAnswers)[K]['parse']>;
  }
}
