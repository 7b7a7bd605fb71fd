import { AppFailure } from '../../../shared/contract';
import type { CauseView, DonationView } from '../../../shared/contract/social';
import { CAUSE_KEY_PREFIX, causeKey, CauseRecord } from '../../../shared/social/cause';
import type { SocialPolicy } from '../../../shared/social/policy';
import type { Db } from '../db/database';
import type { Ledger } from '../ledger/ledger';
import type { Clock, Logger } from '../ports';

/**
 * Causes at the till (issue 16 item 4). HQ defines them and the pull keeps
 * each as `cause:<id>` in the program bucket (sync_bucket_item, as any key
 * the pull does not file elsewhere). A member gives points from the
 * programme's minimum, after a confirm step on the screen; the `donate`
 * entry moves them to the cause's account (social-entries.ts). A cause's
 * counter is HQ's chain-wide total plus what was given here since HQ counted.
 * A closed cause, a gift below the minimum or above what the member has
 * free: refused, nothing written.
 */
export interface CauseDeps {
  db: Db;
  ledger: Ledger;
  clock: Clock;
  logger: Logger;
  policy: (at: number) => SocialPolicy;
}

export class Causes {
  constructor(private readonly deps: CauseDeps) {}

  /** The causes as the pull left them, open ones first. */
  list(): CauseView[] {
    const rows = this.deps.db
      .prepare<[string, string], { value: string }>("SELECT value FROM sync_bucket_item WHERE bucket = 'program' AND key >= ? AND key < ? ORDER BY key")
      .all(CAUSE_KEY_PREFIX, `${CAUSE_KEY_PREFIX}\uffff`);
    const causes: CauseView[] = [];
    for (const row of rows) {
      const parsed = CauseRecord.safeParse(JSON.parse(row.value));
      if (!parsed.success) {
        this.deps.logger.warn('a cause from HQ is malformed: not shown', { problem: parsed.error.issues[0]?.message });
        continue;
      }
      causes.push(this.view(parsed.data));
    }
    return causes.sort((a, b) => (a.status === b.status ? 0 : a.status === 'open' ? -1 : 1));
  }

  get(causeId: string): CauseView | null {
    const row = this.deps.db.prepare<[string], { value: string }>("SELECT value FROM sync_bucket_item WHERE bucket = 'program' AND key = ?").get(causeKey(causeId));
    const parsed = row ? CauseRecord.safeParse(JSON.parse(row.value)) : null;
    return parsed?.success ? this.view(parsed.data) : null;
  }

  /** As the pull files them; for a terminal with no HQ (a demo, the tests) the same rows. */
  install(causes: readonly CauseRecord[]): void {
    const put = this.deps.db.prepare("INSERT INTO sync_bucket_item (bucket, key, value) VALUES ('program', ?, ?) ON CONFLICT (bucket, key) DO UPDATE SET value = excluded.value");
    this.deps.db.transaction(() => {
      for (const c of causes) put.run(causeKey(c.id), JSON.stringify(CauseRecord.parse(c)));
    })();
  }

  donate(memberId: string, input: { donationId: string; causeId: string; points: number }): DonationView {
    const cause = this.get(input.causeId);
    if (!cause) throw new AppFailure('not_found', 'no such cause', [{ path: 'causeId', message: 'social.cause_unknown' }]);
    if (cause.status !== 'open') throw new AppFailure('conflict', 'this cause is closed to donations', [{ path: 'causeId', message: 'social.cause_closed' }]);
    const { minimumDonationPoints } = this.deps.policy(this.deps.clock.now()).causes;
    if (input.points < minimumDonationPoints) {
      throw new AppFailure('bad_input', `a donation is at least ${minimumDonationPoints} points`, [{ path: 'points', message: 'social.donation_below_minimum' }]);
    }
    const done = this.deps.ledger.social.donate({ donationId: input.donationId, memberId, causeId: input.causeId, points: input.points });
    this.deps.logger.info('donation to a cause', { causeId: input.causeId, points: input.points });
    return { donationId: done.donationId, causeId: input.causeId, points: input.points, balance: done.balanceAfter, causeTotal: this.get(input.causeId)!.totalPoints };
  }

  private view(c: CauseRecord): CauseView {
    const here = this.deps.db
      .prepare<[string, number], { points: number | null }>('SELECT sum(points) AS points FROM social_donation WHERE cause_id = ? AND at > ?')
      .get(c.id, c.totalAt);
    return { id: c.id, name: c.name, description: c.description, imageUrl: c.imageUrl, goalPoints: c.goalPoints, totalPoints: c.totalPoints + (here?.points ?? 0), status: c.status };
  }
}
