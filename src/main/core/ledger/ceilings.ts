import { AppFailure, type FieldIssue, type ManagerApproval } from '../../../shared/contract';
import type { PinGuard } from './adjustment';
import type { LedgerContext } from './context';
import { lineNetCents, saleLimits, type BasketLine, type SaleLimits } from './rules';

interface Passed {
  limit: keyof SaleLimits;
  value: number;
  issue: FieldIssue;
}

const ISSUE_KEY: Record<keyof SaleLimits, string> = {
  maxLineCents: 'ledger.over_limit.max_line_cents',
  maxTicketCents: 'ledger.over_limit.max_ticket_cents',
  maxPointsPerSale: 'ledger.over_limit.max_points_per_sale',
};

/** The programme's ceilings this sale goes past: each line's net, the ticket's net, the points it earns. */
export function ceilingsPassed(limits: SaleLimits, lines: readonly BasketLine[], netCents: number, points: number): Passed[] {
  const passed: Passed[] = [];
  const add = (limit: keyof SaleLimits, value: number, path: string) => passed.push({ limit, value, issue: { path, message: ISSUE_KEY[limit] } });
  lines.forEach((line, i) => {
    const net = lineNetCents(line);
    if (net > limits.maxLineCents) add('maxLineCents', net, `lines.${i}`);
  });
  if (netCents > limits.maxTicketCents) add('maxTicketCents', netCents, 'lines');
  if (points > limits.maxPointsPerSale) add('maxPointsPerSale', points, 'lines');
  return passed;
}

/**
 * Refuses a sale past a ceiling of the programme unless a manager approves
 * it with their PIN, checked by the adjustments' guard (five wrong PINs lock
 * approvals for five minutes). A preview (`pins` null) checks no PIN: it is
 * only told one will come with the commit. Called before anything is written.
 */
export function requireWithinCeilings(
  ctx: Pick<LedgerContext, 'rules' | 'policy' | 'logger'>,
  sale: { tillId: string; receipt: string; lines: readonly BasketLine[]; netCents: number; points: number; manager?: ManagerApproval | null | undefined },
  pins: PinGuard | null,
): void {
  const limits = saleLimits(ctx.rules);
  const passed = ceilingsPassed(limits, sale.lines, sale.netCents, sale.points);
  if (passed.length === 0) return;
  if (!sale.manager) {
    const named = passed.map((p) => `${p.limit} ${limits[p.limit]} (this sale: ${p.value})`).join(', ');
    throw new AppFailure('over_limit', `over the programme's ceilings: ${named}; a manager's PIN approves it`, passed.map((p) => p.issue));
  }
  if (pins === null) return;
  pins.check(sale.manager.pin, ctx.policy.managerPinHash);
  ctx.logger.info('a manager approved a sale over the programme ceilings', {
    tillId: sale.tillId,
    receipt: sale.receipt,
    manager: sale.manager.id,
    limits: passed.map((p) => p.limit),
  });
}
