import { AppFailure } from '../../../shared/contract';
import { contactRoom, evaluateOffers, type BasketLine, type ContactCaps, type Evaluation, type MemberFacts } from '../../../shared/offers/evaluate';
import { validateOfferRules, type OfferRule } from '../../../shared/offers/rules';
import { programmeSectionAt } from '../programme/programme-book';
import type { Db } from '../db/database';
import { localParts } from '../ledger/local-time';
import type { Clock, Logger } from '../ports';
import { ContactLedger } from './contact-ledger';
import { membersAwaitingConversion, recordConversions } from './offer-stats';
import { Habits } from './habits';

/** The programme's caps until HQ sends its own: two offers a visit, three contacts a week, eight a month. */
export const DEFAULT_CONTACT_CAPS: ContactCaps = { perVisit: 2, perWeek: 3, perMonth: 8 };

/** Previews of one basket within this long are one visit: an offer shown in it is counted once. */
export const VISIT_MS = 30 * 60_000;
const DAY_MS = 86_400_000;
const MONTH_MS = 30 * DAY_MS;

const NONE: Evaluation = { offers: [], hint: null };

/** What a programme version says of offers: its rules (null when it carries none) and its caps. */
export interface ProgrammeOffers {
  version: string;
  rules: OfferRule[] | null;
  caps: ContactCaps | null;
  /** How far back the caps look for these rules. */
  windowMs: number;
}

const windowOf = (rules: readonly OfferRule[]) => Math.max(MONTH_MS, ...rules.map((r) => r.cap.days * DAY_MS));

/**
 * The offers of the programme in force at each moment (issue 16 item 3): HQ publishes them with the
 * programme and validated them against it before signing; a version that carries none leaves the rules
 * installed on the terminal (core.offers.install) in force. Checked here once more, against the document's
 * own categories: a rule this terminal cannot read shows nothing rather than something wrong.
 */
export function programmeOffersAt(db: Db, logger: Logger): (at: number) => ProgrammeOffers | null {
  return programmeSectionAt(
    db,
    (document, version) => {
      const caps = (document.contactCaps as ContactCaps | undefined) ?? null;
      if (document.offers === undefined) return caps ? { version, rules: null, caps, windowMs: MONTH_MS } : null;
      const categories = Array.isArray(document.categories) ? (document.categories as string[]) : [];
      const check = validateOfferRules(document.offers, { categories });
      if (!check.ok) logger.warn('the offers of this programme version do not hold here; none shown under it', { version, problems: check.problems.slice(0, 5) });
      const rules = check.ok ? check.rules : [];
      return { version, rules, caps, windowMs: windowOf(rules) };
    },
    null,
  );
}

/** The categories a rule may name: the programme's (as the cashier screen lists them) and the product catalogue's. */
export function knownOfferCategories(db: Db, program: { categories: ReadonlyArray<{ slug: string }> }): string[] {
  const catalogue = db.prepare('SELECT DISTINCT category FROM product').pluck().all() as string[];
  return [...new Set([...program.categories.map((c) => c.slug), ...catalogue])];
}

export interface OffersOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** The store's time zone (the programme's): weekdays and hours of a rule are local. */
  timeZone: () => string;
  /** The categories a rule may name: the programme's and the catalogue's. */
  categories: () => readonly string[];
  /** The member's tier where the terminal knows it. */
  tierOf?: (memberId: string) => string | null;
  caps?: ContactCaps;
  /** The offers and contact caps of the programme in force (programmeOffersAt); null: the installed rules. */
  programme?: (at: number) => ProgrammeOffers | null;
  /** Told of each evaluation's offers (the customer screen); must not throw. */
  onEvaluated?: (memberId: string, at: number, evaluation: Evaluation) => void;
}

/**
 * Offers at the till: evaluated offline at each preview of a member's sale,
 * only for members with the personalised-offers consent (and only reading
 * their habits with the profiling consent), written to the contact-pressure
 * ledger as they are shown, answered from the customer screen.
 */
export class Offers {
  readonly contacts: ContactLedger;
  private readonly habits: Habits;
  private rules: OfferRule[] = [];
  /** How far back the caps look: a month for the overall caps, longer for a rule's own. */
  private windowMs = MONTH_MS;
  private enabled = true;
  /** Members with an accepted offer a later purchase may convert: only their sales are looked at. */
  private readonly awaitingConversion: Set<string>;

  constructor(private readonly o: OffersOptions) {
    this.contacts = new ContactLedger(o.db, undefined, (error) =>
      o.logger.error('offers shown could not be written yet', { error: error instanceof Error ? error.message : String(error) }),
    );
    this.habits = new Habits(o.db, (error) =>
      o.logger.error("sales could not be added to the members' habits", { error: error instanceof Error ? error.message : String(error) }),
    );
    this.awaitingConversion = membersAwaitingConversion(o.db, o.clock.now());
    const stored = o.db.prepare('SELECT rules FROM offer_rule_set WHERE id = 1').pluck().get() as string | undefined;
    if (stored !== undefined) {
      // Checked again: the programme's categories may have changed since.
      const check = validateOfferRules(JSON.parse(stored), { categories: o.categories() });
      if (check.ok) this.use(check.rules);
      else o.logger.warn('the stored offer rules no longer hold; no offers until new ones come', { problems: check.problems.slice(0, 5) });
    }
  }

  get ruleCount(): number {
    return this.rules.length;
  }

  /** Replaces the rule set, all or nothing: every problem is reported and nothing changes. */
  install(raw: unknown): number {
    const check = validateOfferRules(raw, { categories: this.o.categories() });
    if (!check.ok) {
      throw new AppFailure(
        'bad_input',
        'invalid offer rules',
        check.problems.map((p) => ({ path: p.slice(0, p.indexOf(':')), message: p })),
      );
    }
    this.o.db
      .prepare('INSERT INTO offer_rule_set (id, rules, installed_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET rules = excluded.rules, installed_at = excluded.installed_at')
      .run(JSON.stringify(check.rules), this.o.clock.now());
    this.use(check.rules);
    return check.rules.length;
  }

  /** The terminal's switch: off, no offer is evaluated or shown and the rules stay installed. */
  setEnabled(on: boolean): void {
    this.enabled = on;
  }

  private use(rules: OfferRule[]): void {
    // A new array each time: the evaluator compiles its index once per rule set.
    this.rules = rules;
    this.windowMs = windowOf(rules);
  }

  /**
   * The offers for a member's basket now; the new ones are counted as shown.
   * Offers never stand in the way of a sale: a failure here is logged and shows none.
   */
  forBasket(memberId: string, lines: readonly BasketLine[]): Evaluation {
    if (!this.enabled) return NONE;
    try {
      const programme = this.o.programme?.(this.o.clock.now()) ?? null;
      const rules = programme?.rules ?? this.rules;
      if (rules.length === 0) return NONE;
      return this.evaluate(memberId, lines, rules, programme?.caps ?? this.o.caps ?? DEFAULT_CONTACT_CAPS, programme?.rules ? programme.windowMs : this.windowMs);
    } catch (error) {
      this.o.logger.error('offers could not be evaluated; none shown', { error: error instanceof Error ? error.message : String(error) });
      return NONE;
    }
  }

  private evaluate(memberId: string, lines: readonly BasketLine[], rules: OfferRule[], caps: ContactCaps, windowMs: number): Evaluation {
    const consents = this.consentsOf(memberId);
    if (!consents.personalisedOffers) return NONE;
    const now = this.o.clock.now();
    if (this.contacts.fewerContacts(memberId)) return this.evaluated(memberId, now, NONE);
    const rows = this.contacts.shownSince(memberId, now - windowMs);
    const currentVisit = new Set<string>();
    const answeredThisVisit = new Set<string>();
    for (const row of rows) {
      if (row.shownAt <= now - VISIT_MS) continue;
      if (row.answer === 'none') currentVisit.add(row.ruleId);
      else answeredThisVisit.add(row.ruleId);
    }
    for (const ruleId of answeredThisVisit) currentVisit.delete(ruleId);
    // Without the profiling consent the member's habits are not even read.
    const habit = consents.profiling ? this.habits.of(memberId) : { lastVisitAt: null, categoryShares: {} };
    const member: MemberFacts = { tier: this.o.tierOf?.(memberId) ?? null, consents, ...habit, fewerContacts: false };
    const local = localParts(now, this.o.timeZone());
    const evaluation = evaluateOffers({
      rules,
      lines,
      member,
      pressure: { shown: rows.map((r) => ({ ruleId: r.ruleId, at: r.shownAt })), otherContacts: this.contacts.otherContactsSince(memberId, now - MONTH_MS), currentVisit, answeredThisVisit },
      caps,
      now: { at: now, weekday: local.weekday, hour: local.hour },
    });
    this.contacts.recordShown(
      memberId,
      evaluation.offers.filter((offer) => offer.fresh).map((offer) => offer.ruleId),
      now,
    );
    return this.evaluated(memberId, now, evaluation);
  }

  private evaluated(memberId: string, at: number, evaluation: Evaluation): Evaluation {
    this.o.onEvaluated?.(memberId, at, evaluation);
    return evaluation;
  }

  /**
   * Whether another channel (the satisfaction survey) may address the member now: not after « moins de
   * sollicitations », and only with room under the programme's week and month caps, offers shown included.
   */
  contactAllowed(memberId: string, at: number): boolean {
    if (this.contacts.fewerContacts(memberId)) return false;
    const caps = this.o.programme?.(at)?.caps ?? this.o.caps ?? DEFAULT_CONTACT_CAPS;
    const contacts = [...this.contacts.shownSince(memberId, at - MONTH_MS).map((r) => r.shownAt), ...this.contacts.otherContactsSince(memberId, at - MONTH_MS)];
    return contactRoom(contacts, caps, at) > 0;
  }

  /** The customer's answer to an offer shown in this visit; false when there is none left to answer. */
  answer(memberId: string, ruleId: string, answer: 'accepted' | 'refused'): boolean {
    this.contacts.flush();
    const now = this.o.clock.now();
    const open = this.contacts.shownSince(memberId, now - VISIT_MS).filter((r) => r.ruleId === ruleId && r.answer === 'none');
    const row = open[open.length - 1];
    const recorded = row ? this.contacts.recordAnswer(memberId, row.id, answer, now) : false;
    if (recorded && answer === 'accepted') this.awaitingConversion.add(memberId);
    return recorded;
  }

  /** Writes what is still in memory (the terminal closing). */
  flush(): void {
    this.contacts.flush();
    this.habits.flush();
  }

  setFewerContacts(memberId: string, on: boolean): void {
    this.contacts.setFewerContacts(memberId, on, this.o.clock.now());
  }

  /** A committed sale: one visit more in the member's habits, when they agreed to profiling. */
  saleCommitted(memberId: string, categories: readonly string[], at: number): void {
    try {
      if (this.awaitingConversion.has(memberId)) {
        const rules = new Map((this.o.programme?.(at)?.rules ?? this.rules).map((r) => [r.id, r]));
        if (!recordConversions(this.o.db, { memberId, categories, at, visitMs: VISIT_MS, rules })) this.awaitingConversion.delete(memberId);
      }
      if (!this.consentsOf(memberId).profiling) return;
      this.habits.visited(memberId, categories, at);
    } catch (error) {
      // The sale is committed: a habit missed is a smaller loss than a failure reported on a sale that happened.
      this.o.logger.error('a sale could not be added to the member\'s habits', { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private consentsOf(memberId: string): MemberFacts['consents'] {
    return this.contacts.consents(memberId);
  }
}
