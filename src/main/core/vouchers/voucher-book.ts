import { AppFailure } from '../../../shared/contract';
import type { PreviewVoucher, RefundVouchers, SaleVouchers, VoucherView } from '../../../shared/contract/vouchers';
import {
  advanceCadence,
  cadenceRuleOf,
  collectsVouchers,
  DEFAULT_CADENCE_RULE,
  NO_PROGRESS,
  toNextVoucher,
  voucherExpiresAt,
  type CadenceProgress,
  type CadenceRule,
} from '../../../shared/programme/cadence';
import type { Db } from '../db/database';
import type { CanonicalValue } from '../ledger/canonical';
import { tierGeneration } from '../tiers/tier-store';
import { saleVoucherDetail } from './sale-hooks';

/**
 * Basic members' vouchers at the terminal (issue 14 item 4). A voucher is a
 * ledger object: a sale issues it (its earn entry's detail says so, which is
 * how HQ learns of it), the next checkout offers it, one sale uses it inside
 * that sale's transaction, it expires, and refunds move it: the refund that
 * makes whole the sale that used it gives it back (if still in date), the one
 * that makes whole the sale that issued it withdraws it (if still unused).
 *
 * The sale path has a speed target, so what a sale needs is in memory: the
 * open vouchers by member and the members' tiers, read once at start (the
 * tiers again when a pull writes tiers). Where a collecting member stands
 * after each sale is written in that sale's earn entry (`voucher_progress`),
 * which the sale writes anyway, and read back from the member's journal at
 * their first sale of a run. So a sale that neither uses nor issues a voucher
 * runs no statement here, beyond that one read per collecting member and run.
 *
 * Memory follows the database only once the transaction has committed: what
 * a write would change is staged, and `settle` applies it for the operation
 * that committed (a rolled-back one's staged changes are dropped).
 */
export interface LedgerVouchers {
  /** The voucher a sale or a preview asks to use, checked: the member's, open, in date. Throws an AppFailure; reads memory (and, to say why it refuses, the row). */
  use(memberId: string, voucherId: string | undefined, at: number): VoucherView | null;
  /** What a preview shows of the member's vouchers. */
  preview(memberId: string, applied: VoucherView | null, at: number, rulesVersion: string): PreviewVoucher;
  /**
   * Inside the sale's transaction: the voucher used, the one earned (`vouchers`, null when neither) and what
   * the sale's earn entry records of them and of where the member stands (`detail`).
   */
  recordSale(sale: { saleId: string; memberId: string; applied: VoucherView | null; paidCents: number; points: number; at: number; rulesVersion: string }): SaleVoucherRecord;
  /** Inside the refund's transaction; only a refund that leaves nothing of the sale moves its vouchers. */
  recordRefund(refund: { refundId: string; memberId: string; vouchers: SaleVouchers | undefined; fullyRefunded: boolean; at: number }): RefundVouchers | null;
  /** The operation `operationId` committed: memory takes what it staged. */
  settle(operationId: string): void;
  /** The member's vouchers in date, soonest to expire first (the screens and the account). */
  openFor(memberId: string, at: number): VoucherView[];
}

export interface SaleVoucherRecord {
  vouchers: SaleVouchers | null;
  detail: { [key: string]: CanonicalValue };
}

/** A member's recent journal, newest first (Ledger.history): where their progress was last written. */
export type JournalReader = (memberId: string, limit: number) => ReadonlyArray<{ kind: string; detail: { [key: string]: CanonicalValue } }>;

/** Entries read back to find a member's last progress: their last sale is almost always among the first few. */
const PROGRESS_LOOKBACK = 50;

interface VoucherRow {
  voucher_id: string;
  member_id: string;
  cents: number;
  issued_at: number;
  expires_at: number;
  status: 'open' | 'used' | 'withdrawn';
  used_by_sale: string | null;
}

const viewOf = (r: Pick<VoucherRow, 'voucher_id' | 'cents' | 'issued_at' | 'expires_at'>): VoucherView => ({
  voucherId: r.voucher_id,
  cents: r.cents,
  issuedAt: r.issued_at,
  expiresAt: r.expires_at,
});

/** A voucher's id: the sale that issued it, which issues at most one. */
export const voucherIdOf = (saleId: string): string => `v-${saleId}`;

const refuse = (code: 'bad_input' | 'conflict', text: string, key: string): never => {
  throw new AppFailure(code, text, [{ path: 'voucherId', message: key }]);
};

export class VoucherBook implements LedgerVouchers {
  private readonly open = new Map<string, VoucherView[]>();
  private readonly progress = new Map<string, CadenceProgress>();
  private tiers = new Map<string, string>();
  private tiersRead = -1;
  private readonly rules = new Map<string, CadenceRule | null>();
  private staged: Array<{ operationId: string; apply: () => void }> = [];
  private readonly statements;

  constructor(
    private readonly db: Db,
    private readonly journal: JournalReader,
  ) {
    this.statements = {
      row: db.prepare<[string], VoucherRow>('SELECT voucher_id, member_id, cents, issued_at, expires_at, status, used_by_sale FROM voucher WHERE voucher_id = ?'),
      issue: db.prepare<[string, string, number, number, number, string]>(
        "INSERT INTO voucher (voucher_id, member_id, cents, issued_at, expires_at, issued_by_sale, status) VALUES (?, ?, ?, ?, ?, ?, 'open')",
      ),
      markUsed: db.prepare<[string, number, string]>("UPDATE voucher SET status = 'used', used_by_sale = ?, used_at = ? WHERE voucher_id = ? AND status = 'open'"),
      giveBack: db.prepare<[string, string]>("UPDATE voucher SET status = 'open', used_by_sale = NULL, used_at = NULL WHERE voucher_id = ? AND status = 'used' AND used_by_sale = ?"),
      withdraw: db.prepare<[string]>("UPDATE voucher SET status = 'withdrawn' WHERE voucher_id = ? AND status = 'open'"),
      document: db.prepare<[string], { document: string }>('SELECT document FROM programme_version WHERE version = ?'),
      tiers: db.prepare<[], { member_id: string; tier: string }>('SELECT member_id, tier FROM member_tier'),
    };
    for (const r of db.prepare<[], VoucherRow>("SELECT voucher_id, member_id, cents, issued_at, expires_at FROM voucher WHERE status = 'open'").all()) {
      this.addOpen(r.member_id, viewOf(r));
    }
    this.readTiers();
  }

  openFor(memberId: string, at: number): VoucherView[] {
    return (this.open.get(memberId) ?? []).filter((v) => v.expiresAt > at);
  }

  use(memberId: string, voucherId: string | undefined, at: number): VoucherView | null {
    if (voucherId === undefined) return null;
    const held = this.open.get(memberId)?.find((v) => v.voucherId === voucherId);
    if (held && held.expiresAt > at) return held;
    // Refused: the row says why (the sale writes nothing, so this read is off the sale path).
    const row = this.statements.row.get(voucherId);
    if (!row || row.member_id !== memberId) return refuse('bad_input', 'this voucher is not one of the member’s', 'ledger.voucher_unknown');
    if (row.status === 'used') return refuse('conflict', 'this voucher has already been used', 'ledger.voucher_used');
    if (row.status === 'withdrawn') return refuse('conflict', 'this voucher was withdrawn when the sale that earned it was refunded', 'ledger.voucher_withdrawn');
    return refuse('conflict', 'this voucher has expired', 'ledger.voucher_expired');
  }

  preview(memberId: string, applied: VoucherView | null, at: number, rulesVersion: string): PreviewVoucher {
    const rule = this.ruleFor(rulesVersion);
    const collects = collectsVouchers(rule, this.tierOf(memberId, rule));
    return {
      offered: this.openFor(memberId, at)[0] ?? null,
      applied,
      next: collects && rule ? { ...toNextVoucher(rule, this.progressOf(memberId)), cents: rule.cadence.voucherCents } : null,
    };
  }

  recordSale(sale: { saleId: string; memberId: string; applied: VoucherView | null; paidCents: number; points: number; at: number; rulesVersion: string }): SaleVoucherRecord {
    const { saleId, memberId, applied, at } = sale;
    if (applied) {
      // Memory said open; the row must agree, or two writers raced: refused, the sale's transaction rolls back.
      if (this.statements.markUsed.run(saleId, at, applied.voucherId).changes !== 1) refuse('conflict', 'this voucher has already been used', 'ledger.voucher_used');
      this.stage(saleId, () => this.removeOpen(memberId, applied.voucherId));
    }
    let issued: VoucherView | null = null;
    let progress: CadenceProgress | null = null;
    const rule = this.ruleFor(sale.rulesVersion);
    if (rule && collectsVouchers(rule, this.tierOf(memberId, rule))) {
      const step = advanceCadence(rule, this.progressOf(memberId), sale.paidCents, sale.points);
      const after = (progress = step.progress);
      if (step.issue) {
        const voucher: VoucherView = { voucherId: voucherIdOf(saleId), cents: rule.cadence.voucherCents, issuedAt: at, expiresAt: voucherExpiresAt(rule, at) };
        this.statements.issue.run(voucher.voucherId, memberId, voucher.cents, voucher.issuedAt, voucher.expiresAt, saleId);
        this.stage(saleId, () => this.addOpen(memberId, voucher));
        issued = voucher;
      }
      this.stage(saleId, () => this.progress.set(memberId, after));
    }
    const vouchers = applied || issued ? { applied, issued } : null;
    return { vouchers, detail: { ...saleVoucherDetail(vouchers), ...(progress ? { voucher_progress: { visits: progress.visits, points: progress.points } } : {}) } };
  }

  recordRefund(refund: { refundId: string; memberId: string; vouchers: SaleVouchers | undefined; fullyRefunded: boolean; at: number }): RefundVouchers | null {
    const { refundId, memberId, vouchers, at } = refund;
    if (!vouchers || !refund.fullyRefunded) return null;
    let restored: VoucherView | null = null;
    let withdrawn: VoucherView | null = null;
    const used = vouchers.applied;
    if (used && used.expiresAt > at) {
      const saleId = this.statements.row.get(used.voucherId)?.used_by_sale;
      if (saleId && this.statements.giveBack.run(used.voucherId, saleId).changes === 1) {
        this.stage(refundId, () => this.addOpen(memberId, used));
        restored = used;
      }
    }
    const earned = vouchers.issued;
    if (earned && this.statements.withdraw.run(earned.voucherId).changes === 1) {
      this.stage(refundId, () => this.removeOpen(memberId, earned.voucherId));
      withdrawn = earned;
    }
    return restored || withdrawn ? { restored, withdrawn } : null;
  }

  settle(operationId: string): void {
    const staged = this.staged;
    this.staged = [];
    for (const s of staged) if (s.operationId === operationId) s.apply();
  }

  private stage(operationId: string, apply: () => void): void {
    // What an operation that rolled back left staged is never applied.
    if (this.staged.length > 0 && this.staged[0]!.operationId !== operationId) this.staged = [];
    this.staged.push({ operationId, apply });
  }

  private addOpen(memberId: string, voucher: VoucherView): void {
    const list = (this.open.get(memberId) ?? []).filter((v) => v.voucherId !== voucher.voucherId);
    list.push(voucher);
    list.sort((a, b) => a.expiresAt - b.expiresAt || (a.voucherId < b.voucherId ? -1 : 1));
    this.open.set(memberId, list);
  }

  private removeOpen(memberId: string, voucherId: string): void {
    const list = (this.open.get(memberId) ?? []).filter((v) => v.voucherId !== voucherId);
    if (list.length > 0) this.open.set(memberId, list);
    else this.open.delete(memberId);
  }

  /** Where a collecting member stands: memory, or their last earn entry that says so (read once per member and run). */
  private progressOf(memberId: string): CadenceProgress {
    let progress = this.progress.get(memberId);
    if (progress === undefined) {
      const entry = this.journal(memberId, PROGRESS_LOOKBACK).find((e) => e.kind === 'earn' && e.detail.voucher_progress !== undefined);
      const saved = entry?.detail.voucher_progress as { visits?: unknown; points?: unknown } | undefined;
      progress = typeof saved?.visits === 'number' && typeof saved.points === 'number' ? { visits: saved.visits, points: saved.points } : NO_PROGRESS;
      // Read before the sale writes its own entry: committed history, right even if the sale then rolls back.
      this.progress.set(memberId, progress);
    }
    return progress;
  }

  /** The cadence of a programme version: HQ's document, or the default programme's before HQ sent one. Read once per version. */
  private ruleFor(version: string): CadenceRule | null {
    let rule = this.rules.get(version);
    if (rule === undefined) {
      const row = this.statements.document.get(version);
      rule = row ? cadenceRuleOf(JSON.parse(row.document) as unknown) : DEFAULT_CADENCE_RULE;
      this.rules.set(version, rule);
    }
    return rule;
  }

  private tierOf(memberId: string, rule: CadenceRule | null): string {
    if (this.tiersRead !== tierGeneration()) this.readTiers();
    return this.tiers.get(memberId) ?? rule?.newMemberTier ?? DEFAULT_CADENCE_RULE.newMemberTier;
  }

  private readTiers(): void {
    this.tiersRead = tierGeneration();
    this.tiers = new Map(this.statements.tiers.all().map((r) => [r.member_id, r.tier]));
  }
}
