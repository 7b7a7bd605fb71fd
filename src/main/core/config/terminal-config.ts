import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TillId } from '../../../shared/contract/ledger-inputs';
import { WedgeSettings } from '../../../shared/contract/schemas';
import { SurveySettings } from '../incidents/survey';
import { MANUAL_TILL } from '../loyalty';

/** Hosts that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Without `rateLimits`: 30 a minute is one customer every 2 s, sustained, ten
 * times what a busy till needs; a sweep of 500 cards then takes 17 minutes, not 8 s.
 */
export const DEFAULT_TILL_RATE_LIMITS = { identify: { perMinute: 30, burst: 10 } };

/**
 * The HTTP API the cash-register software calls (src/main/till-api). Each till
 * holds a token; only its SHA-256 is configured, so a leaked config file gives
 * no till's token away. Loopback unless `lan: true` says otherwise, explicitly.
 */
export const TillApiConfig = z
  .strictObject({
    enabled: z.boolean().default(true),
    host: z.string().min(1).max(255).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(5171),
    lan: z.boolean().default(false),
    tills: z
      .array(
        z.strictObject({
          id: TillId.refine((id) => id !== MANUAL_TILL, `'${MANUAL_TILL}' is the cashier screen's own till id`),
          tokenSha256: z.string().regex(/^[0-9a-f]{64}$/, 'the hex SHA-256 of the token (npm run till:token -- <tillId>)'),
        }),
      )
      .max(64)
      .default([]),
    /**
     * Per till token: identify answers who holds a card or a phone number, so
     * a token must not be able to walk the member base. A cashier identifies
     * one customer per ticket, a ticket every 30 s or more; a re-scan or two
     * and a queue served fast fit in the burst.
     */
    rateLimits: z
      .strictObject({
        identify: z.strictObject({
          /** Sustained: the bucket refills at this rate. */
          perMinute: z.number().int().min(1).max(6_000),
          /** Requests allowed back to back before the sustained rate applies. */
          burst: z.number().int().min(1).max(1_000),
        }),
      })
      .optional(),
  })
  .superRefine((api, ctx) => {
    if (!isLoopbackHost(api.host) && !api.lan) {
      ctx.addIssue({ code: 'custom', path: ['host'], message: `${api.host} is not loopback: set "lan": true to serve the store network` });
    }
    const ids = new Set<string>();
    const hashes = new Set<string>();
    for (const [i, till] of api.tills.entries()) {
      if (ids.has(till.id)) ctx.addIssue({ code: 'custom', path: ['tills', i, 'id'], message: `till ${till.id} is listed twice` });
      if (hashes.has(till.tokenSha256)) ctx.addIssue({ code: 'custom', path: ['tills', i, 'tokenSha256'], message: 'two tills share a token' });
      ids.add(till.id);
      hashes.add(till.tokenSha256);
    }
  });
export type TillApiConfig = z.infer<typeof TillApiConfig>;

/**
 * A terminal's configuration: the defaults shipped in resources/ with a
 * per-terminal file laid over them. Both are validated, and a bad file stops
 * the start with a message naming the field, never a half-configured till.
 */
export const TerminalConfig = z.strictObject({
  terminalId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  /** Unique in the chain: it is part of every card number this terminal issues. */
  terminalCode: z.number().int().min(0).max(9999),
  storeName: z.string().min(1).max(80),
  locale: z.enum(['fr', 'en']),
  /** 'simulated': an in-process scanner; 'rig': the real drivers talking to protocol simulators over socat ptys; 'real': the hardware in the devices configuration. */
  devices: z.enum(['simulated', 'rig', 'real']),
  enrolmentIdleMs: z.number().int().min(5_000).max(600_000),
  /** After this, an enrolment left open (a customer screen that died) is dropped. */
  enrolmentMaxMs: z.number().int().min(10_000).max(3_600_000),
  consentWordingVersion: z.string().regex(/^[a-z0-9.-]{1,32}$/),
  privacyNoticeUrl: z.string().url(),
  demoSeed: z.strictObject({ members: z.number().int().min(0).max(1_000_000), seed: z.number().int() }).nullable(),
  /** Electron only: the display id of the customer screen; unset, the first display that is not the primary. */
  customerDisplayId: z.number().int().nonnegative().nullable().optional(),
  /** Electron only: fullscreen kiosk windows even in an unpackaged build (a packaged build always is). */
  kiosk: z.boolean().optional(),
  /** The till integration API; absent, it does not start. */
  tillApi: TillApiConfig.optional(),
  /** The store this terminal belongs to in HQ's fleet; the enrolment code must be for it. */
  storeId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/)
    .optional(),
  /**
   * Headquarters. Absent, the terminal keeps its ledger to itself (the
   * browser mode then starts an embedded HQ unless told `--hq none`).
   */
  hq: z
    .strictObject({
      url: z
        .string()
        .url()
        .refine((u) => /^https?:\/\//.test(u), 'http:// or https://'),
      pullEveryMs: z.number().int().min(5_000).max(3_600_000).optional(),
    })
    .optional(),
  /**
   * How long the terminal keeps what it does not need for the ledger (core/retention.ts); the journal,
   * sales and refunds are never pruned. Defaults: RETENTION_DEFAULTS.
   */
  retention: z
    .strictObject({
      /** A printed receipt's copy (the bytes sent to the printer, with the member's name): days after it printed. */
      printedReceiptsDays: z.number().int().min(1).max(3650).optional(),
      /** A till API request record: days after which a replayed Idempotency-Key is no longer recognised. */
      tillRequestsDays: z.number().int().min(1).max(365).optional(),
      /** A stored answer to a till's identify call (a member's name and points): days. */
      identifyAnswersDays: z.number().int().min(1).max(365).optional(),
      /** A member's personal data, when this terminal has not seen them (enrolled, identified, opened) for this many days (issue 17). */
      unseenMembersDays: z.number().int().min(30).max(3650).optional(),
    })
    .optional(),
  /**
   * The keyboard-wedge scanner: the layout it is set to type with ('auto' tries each on every scan and keeps the one
   * that reads a known code; the IT view detects it from a test code), and the inter-key limit (ms), learnt upwards
   * from recognised scans unless `adaptive` is false.
   */
  wedge: WedgeSettings.partial().optional(),
  /** The satisfaction question on the customer screen after a sale (core/incidents/survey.ts); absent, never asked. */
  survey: SurveySettings.optional(),
  /**
   * The update policy's waits (core/updates/policy.ts; defaults there): how long the customer screen must have
   * been left alone before an install, and how often the policy looks at the time. Demos and tests shorten them.
   */
  updates: z
    .strictObject({
      customerIdleMs: z.number().int().min(0).max(3_600_000).optional(),
      tickMs: z.number().int().min(250).max(600_000).optional(),
    })
    .optional(),
  /** Points adjustments above this need a manager's PIN. */
  adjustmentThresholdPoints: z.number().int().min(0).max(1_000_000).optional(),
  /** The manager PIN as `scrypt$N$r$p$salt$hash` (see docs/ledger.md); unset, large adjustments are refused. */
  managerPinHash: z.string().regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/).nullable().optional(),
});
export type TerminalConfig = z.infer<typeof TerminalConfig>;

export class ConfigError extends Error {
  constructor(source: string, detail: string) {
    super(`invalid terminal configuration (${source}): ${detail}`);
    this.name = 'ConfigError';
  }
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, `cannot read: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, `not JSON: ${(error as Error).message}`);
  }
}

export function parseConfig(value: unknown, source: string): TerminalConfig {
  const parsed = TerminalConfig.safeParse(value);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(source, detail);
  }
  return parsed.data;
}

/** Defaults, then the terminal's own file (if any), then explicit overrides from the command line or tests. */
export function loadConfig(defaultsPath: string, overridePath?: string, overrides: Partial<TerminalConfig> = {}): TerminalConfig {
  const base = readJson(defaultsPath);
  if (typeof base !== 'object' || base === null) throw new ConfigError(defaultsPath, 'not an object');
  let merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  if (overridePath) {
    const local = readJson(overridePath);
    if (typeof local !== 'object' || local === null || Array.isArray(local)) throw new ConfigError(overridePath, 'not an object');
    merged = { ...merged, ...(local as Record<string, unknown>) };
  }
  merged = { ...merged, ...overrides };
  return parseConfig(merged, overridePath ?? defaultsPath);
}
