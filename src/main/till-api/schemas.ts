import { z } from 'zod';
import {
  ERROR_CODES,
  ExpiringPoints,
  MemberSummary,
  NextReward,
  ReceiptNumber,
  RefundOutcome,
  SaleOutcome,
  ScanCode,
  TillId,
} from '../../shared/contract';
import { isWellFormedText } from '../../shared/domain/text';

/**
 * The shapes only the till API has. The sale, preview, hold, refund and void
 * bodies are the contract's own (src/shared/contract/ledger-inputs.ts); these
 * wrap them for HTTP, and the OpenAPI document is generated from both.
 */

export const IdentifyRequest = z
  .strictObject({
    /** A card number as printed or scanned, or the wallet pass QR (`FIDELE:1:<card>`). */
    code: ScanCode.optional(),
    /** A French mobile number, written any way (06 12 34 56 78, +33 6…, 0033 6…). */
    phone: z.string().min(1, 'phone.format').max(40, 'phone.format').refine(isWellFormedText, 'phone.format').optional(),
  })
  .refine((body) => (body.code === undefined) !== (body.phone === undefined), {
    message: 'till.code_or_phone',
    path: ['code'],
  })
  .meta({ description: 'Exactly one of `code` (card number or wallet QR) and `phone`.' });

const Points = z.number().int();

export const MemberPoints = z.object({
  balance: Points,
  available: Points,
  nextReward: NextReward,
  expiring: z.array(ExpiringPoints),
});

export const IdentifyResponse = z.object({
  member: MemberSummary,
  via: z.enum(['card', 'wallet_qr', 'phone']),
  points: MemberPoints,
});

const ReceiptLines = z.array(z.string()).meta({ description: 'Lines of at most 42 characters to print under the ticket.' });

export const SaleResponse = z.object({ sale: SaleOutcome, receiptLines: ReceiptLines });
export const RefundResponse = z.object({ refund: RefundOutcome, receiptLines: ReceiptLines });
export const VoidResponse = z.object({ releasedPoints: Points });

export const HoldResponse = z.object({
  memberId: z.string(),
  points: Points,
  discountCents: z.number().int(),
  rewards: z.array(z.object({ rewardId: z.string(), quantity: z.number().int(), points: Points })),
  availableAfter: Points,
  holdTimeoutMs: z.number().int(),
});

export const ReceiptLinesParams = z.strictObject({ tillId: TillId, receipt: ReceiptNumber });
export const ReceiptLinesResponse = z.object({ tillId: z.string(), receipt: z.string(), lines: ReceiptLines });

export const ZReportQuery = z.strictObject({
  /** A store-local day; today when absent. */
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'ledger.day')
    .optional(),
});

export const HealthResponse = z.object({
  ok: z.boolean().meta({ description: 'Whether loyalty writes are served: false while the journal is checked at start, or after it failed that check.' }),
  terminalId: z.string(),
  chainHead: z.object({ epoch: z.number().int(), seq: z.number().int(), hash: z.string() }),
  ledger: z.enum(['unverified', 'verifying', 'verified', 'damaged']).meta({ description: 'Where the check of the journal at start stands.' }),
});

export const OpenApiDocument = z.record(z.string(), z.unknown()).meta({ description: 'This document.' });

export const ErrorBody = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    /** Field problems: a dotted path and a message key (e.g. `ledger.insufficient_points`). */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
