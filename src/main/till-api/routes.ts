import type { z } from 'zod';
import {
  AppFailure,
  HoldInput,
  PreviewInput,
  RefundInput,
  SaleInput,
  SaleKey,
  SalePreviewView,
  ZReportView,
  type IdentifyResult,
  type Locale,
  type MemberSummary,
} from '../../shared/contract';
import { checkFrenchMobile } from '../../shared/domain/phone';
import type { Core } from '../core/core';
import type { SaleResult } from '../core/ledger/sale';
import { LedgerStore } from '../core/ledger/store';
import { incidentRoutes } from './incident-routes';
import type { Reservation } from '../core/sync/holds';
import {
  HealthResponse,
  HoldResponse,
  IdentifyRequest,
  IdentifyResponse,
  OpenApiDocument,
  ReceiptLinesParams,
  ReceiptLinesResponse,
  RefundResponse,
  SaleResponse,
  VoidResponse,
  ZReportQuery,
} from './schemas';

export type TillCore = Pick<Core, 'db' | 'dispatch' | 'members' | 'ledger' | 'loyalty' | 'sync'>;

export interface RouteRequest<B> {
  /** The authenticated till; null on public routes. */
  tillId: string | null;
  params: Record<string, string>;
  query: Record<string, string>;
  /** The body as its schema parsed it. */
  body: B;
  /** The body as the till sent it: what the ledger parses and hashes itself. */
  raw: unknown;
  /** What `prepare` answered, before the atomic write. */
  prepared?: unknown;
}

export interface Route {
  method: 'GET' | 'POST';
  /** OpenAPI path template, e.g. `/v1/sales/{tillId}/{receipt}/receipt-lines`. */
  path: string;
  operationId: string;
  summary: string;
  /** Needs a till's bearer token. */
  auth: boolean;
  body?: z.ZodType;
  params?: z.ZodObject;
  query?: z.ZodObject;
  response: z.ZodType;
  /** Statuses this route may answer besides 200, for the document. */
  errors: readonly number[];
  /** The till a request acts for, when it names one: it must be the caller's own. */
  tillOf?: (body: unknown, params: Record<string, string>) => string;
  /** Where that till id is, for the refusal's issue. */
  tillPath?: string;
  /** A synchronous database write: it commits in one transaction with its stored response. */
  atomic: boolean;
  /**
   * Work an atomic write needs first and cannot do inside its transaction
   * (asking HQ to hold the points). `abandon` undoes it when the write fails;
   * `settle` follows a write that committed, with what it answered.
   */
  /** Counted against the till's bucket of that name before anything else is read (rate-limit.ts). */
  rateLimit?: 'identify';
  prepare?(req: RouteRequest<unknown>): Promise<unknown>;
  abandon?(prepared: unknown): Promise<void>;
  settle?(prepared: unknown, result: unknown): Promise<void>;
  run(req: RouteRequest<unknown>): unknown;
}

export function route<B extends z.ZodType>(spec: Omit<Route, 'body' | 'run' | 'tillOf'> & {
  body?: B;
  tillOf?: (body: z.output<B>, params: Record<string, string>) => string;
  run(req: RouteRequest<z.output<B>>): unknown;
}): Route {
  return spec as Route;
}

export const WRITE_ERRORS = [400, 401, 403, 409, 413, 415, 500] as const;

/**
 * Every endpoint of the till API, in one table: the server routes from it and
 * the OpenAPI document is generated from it, so neither can list a path the
 * other does not have.
 */
export function tillRoutes(core: TillCore, locale: Locale, openApi: () => unknown): Route[] {
  const store = new LedgerStore(core.db);

  function pointsOf(member: MemberSummary) {
    const account = core.loyalty.account(member.id);
    return { balance: account.balance, available: account.available, nextReward: account.nextReward, expiring: account.expiring };
  }

  async function identify(body: z.output<typeof IdentifyRequest>) {
    if (body.code !== undefined) {
      const result = await core.dispatch('cashier', 'member.identify', { code: body.code, source: 'scan' });
      if (!result.ok) throw new AppFailure(result.error.code, result.error.message, result.error.issues);
      const identified = result.value as IdentifyResult;
      if (identified.kind === 'invalid') {
        throw new AppFailure('bad_input', 'not a card number or a wallet QR', [{ path: 'code', message: `card.${identified.problem}` }]);
      }
      if (identified.kind === 'unknown_card') {
        throw new AppFailure('not_found', 'no member holds this card', [{ path: 'code', message: 'ledger.member_unknown' }]);
      }
      return { member: identified.member, via: identified.via, points: pointsOf(identified.member) };
    }
    const phone = checkFrenchMobile(body.phone ?? '');
    if (!phone.ok) throw new AppFailure('bad_input', 'not a French mobile number', [{ path: 'phone', message: `phone.${phone.problem}` }]);
    const memberId = core.members.findByContact(null, phone.e164);
    if (memberId === null) throw new AppFailure('not_found', 'no member has this phone number', [{ path: 'phone', message: 'ledger.member_unknown' }]);
    const result = await core.dispatch('cashier', 'member.select', { memberId });
    if (!result.ok) throw new AppFailure(result.error.code, result.error.message, result.error.issues);
    const member = result.value as MemberSummary;
    return { member, via: 'phone' as const, points: pointsOf(member) };
  }

  return [
    route({
      method: 'GET',
      path: '/v1/health',
      operationId: 'health',
      summary: 'Is the terminal serving, and where its journal stands. No token needed.',
      auth: false,
      response: HealthResponse,
      errors: [500],
      atomic: false,
      run: () => {
        // A till's health probe must see a damaged journal: the process is up, but it serves no loyalty write.
        const ledger = core.ledger.integrity().state;
        return { ok: ledger === 'verified' || ledger === 'unverified', terminalId: core.ledger.terminalId, chainHead: core.ledger.head(), ledger };
      },
    }),
    route({
      method: 'GET',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'This document (OpenAPI 3.1), generated from the schemas the server validates with. No token needed.',
      auth: false,
      response: OpenApiDocument,
      errors: [],
      atomic: false,
      run: () => openApi(),
    }),
    route({
      method: 'POST',
      path: '/v1/identify',
      operationId: 'identify',
      summary: 'Identify the customer by card, wallet QR or phone: greets them on the customer screen and returns their points.',
      auth: true,
      body: IdentifyRequest,
      response: IdentifyResponse,
      errors: [...WRITE_ERRORS, 404, 429],
      rateLimit: 'identify',
      atomic: false,
      run: ({ body }) => identify(body),
    }),
    route({
      method: 'POST',
      path: '/v1/sales/preview',
      operationId: 'previewSale',
      summary: 'The points this basket would earn and the redemption choices, writing nothing.',
      auth: true,
      body: PreviewInput,
      response: SalePreviewView,
      errors: [...WRITE_ERRORS, 404, 422, 503],
      tillOf: (body) => body.tillId,
      atomic: false,
      run: ({ raw }) => core.loyalty.preview(raw),
    }),
    route({
      method: 'POST',
      path: '/v1/sales/hold',
      operationId: 'holdRedemption',
      summary: 'Reserve the points the customer redeems while the sale is paid (memory only: void or commit ends it).',
      auth: true,
      body: HoldInput,
      response: HoldResponse,
      errors: [...WRITE_ERRORS, 404, 503],
      tillOf: (body) => body.tillId,
      atomic: false,
      run: ({ raw }) => core.ledger.hold(raw),
    }),
    route({
      method: 'POST',
      path: '/v1/sales',
      operationId: 'commitSale',
      summary: 'Commit the sale under the till receipt number: earn and redeem points, once, and the lines to print.',
      auth: true,
      body: SaleInput,
      response: SaleResponse,
      errors: [...WRITE_ERRORS, 404, 422, 503],
      tillOf: (body) => body.tillId,
      atomic: true,
      // A sale that spends points asks HQ to hold them chain-wide first; offline, HQ's signed allowance bounds it.
      prepare: ({ raw }) => core.sync.reserve(raw),
      abandon: (prepared) => core.sync.abandon(prepared as Reservation | null),
      // A replayed receipt under a new Idempotency-Key answers the first sale: the hold asked for it is freed.
      settle: (prepared, result) => core.sync.settle(prepared as Reservation | null, (result as { sale: SaleResult }).sale),
      run: ({ raw, prepared }) => {
        const reservation = prepared as Reservation | null;
        const sale = core.loyalty.commit(raw, reservation?.mode === 'online' ? { holdId: reservation.grant.holdId } : undefined);
        return { sale, receiptLines: core.loyalty.receiptLines(sale, locale) };
      },
    }),
    route({
      method: 'POST',
      path: '/v1/sales/void',
      operationId: 'voidSale',
      summary: 'Drop a sale that was not committed: its hold goes, nothing is written.',
      auth: true,
      body: SaleKey,
      response: VoidResponse,
      errors: WRITE_ERRORS,
      tillOf: (body) => body.tillId,
      atomic: false,
      run: ({ raw }) => core.loyalty.void(raw),
    }),
    route({
      method: 'POST',
      path: '/v1/refunds',
      operationId: 'refund',
      summary: 'Refund a committed sale, whole or by line: takes back earned points and gives back redeemed ones, once per refund id.',
      auth: true,
      body: RefundInput,
      response: RefundResponse,
      errors: [...WRITE_ERRORS, 404, 503],
      tillOf: (body) => body.sale.tillId,
      tillPath: 'sale.tillId',
      atomic: true,
      run: ({ raw }) => {
        const refund = core.loyalty.refund(raw);
        // Negative movements: the receipt says what was taken back and what was given back.
        const receiptLines = core.loyalty.receiptLines(
          { memberId: refund.memberId, pointsEarned: -refund.pointsReversed, pointsRedeemed: -refund.pointsRestored, balanceAfter: refund.balanceAfter },
          locale,
        );
        return { refund, receiptLines };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/sales/{tillId}/{receipt}/receipt-lines',
      operationId: 'receiptLines',
      summary: 'The loyalty lines of a committed sale, again (a reprint). The receipt number is URL-encoded (a / is %2F).',
      auth: true,
      params: ReceiptLinesParams,
      response: ReceiptLinesResponse,
      errors: [400, 401, 403, 404, 500],
      tillOf: (_body, params) => params.tillId!,
      atomic: false,
      run: ({ params }) => {
        const row = store.sale(params.tillId!, params.receipt!);
        if (!row) throw new AppFailure('not_found', 'no committed sale with this receipt number', [{ path: 'receipt', message: 'ledger.sale_unknown' }]);
        const sale = JSON.parse(row.result) as SaleResult;
        return { tillId: sale.tillId, receipt: sale.receipt, lines: core.loyalty.receiptLines(sale, locale) };
      },
    }),
    route({
      method: 'GET',
      path: '/v1/z-report',
      operationId: 'zReport',
      summary: "A store-local day's Z report: totals per entry kind, running totals, the chain head; as data and as receipt lines.",
      auth: true,
      query: ZReportQuery,
      response: ZReportView,
      errors: [400, 401, 500],
      atomic: false,
      run: ({ query }) => {
        let report;
        try {
          report = core.ledger.zReport(query.day);
        } catch (error) {
          if (error instanceof RangeError) throw new AppFailure('bad_input', 'not a calendar day', [{ path: 'day', message: 'ledger.day' }]);
          throw error;
        }
        return { day: report.day, report, lines: core.ledger.zReportLines(report, locale) };
      },
    }),
    ...incidentRoutes(core),
  ];
}
