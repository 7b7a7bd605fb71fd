/**
 * Errors cross the IPC and WebSocket boundaries as plain data: Electron passes
 * only the message of a thrown error, so every failure is turned into this
 * union before it leaves the main process, and the screens translate `code`.
 */
export const ERROR_CODES = [
  'bad_input', // the input does not match the method's schema
  'forbidden', // this window's role may not call the method, or the sender is not ours
  'unknown_method',
  'not_found',
  'conflict', // e.g. the card is already someone else's
  'busy', // e.g. a scan while a customer is enrolling
  'unavailable', // e.g. the simulator in a terminal with real devices
  'ledger_damaged', // the journal failed its check at start: no loyalty write until support repairs it
  'storage_full', // the terminal's disk is full: nothing was written
  'storage_busy', // another process holds the database's write lock: nothing was written, retry
  'storage_failed', // the disk refused a write (I/O error, read-only): retry with the same receipt
  'rate_limited', // too many requests of this kind from this caller: wait as long as it says, then retry
  'over_limit', // past one of the programme's ceilings (a ticket, a line, the points of a sale): a manager must approve
  'it_locked', // an it.* method without a live IT session: unlock with the IT PIN first
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldIssue {
  /** Dotted path of the field, e.g. `firstName` or `consents.marketing`. */
  path: string;
  /** A message key the screens translate, e.g. `name.too_long`. */
  message: string;
}

export interface AppError {
  code: ErrorCode;
  message: string;
  issues?: FieldIssue[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

/** Thrown by handlers for expected failures; anything else becomes `internal`. */
export class AppFailure extends Error {
  readonly code: ErrorCode;
  readonly issues: FieldIssue[] | undefined;
  constructor(code: ErrorCode, message: string, issues?: FieldIssue[]) {
    super(message);
    this.name = 'AppFailure';
    this.code = code;
    this.issues = issues;
  }
  toJSON(): AppError {
    return this.issues ? { code: this.code, message: this.message, issues: this.issues } : { code: this.code, message: this.message };
  }
}

export function isAppError(value: unknown): value is AppError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.message === 'string' && (ERROR_CODES as readonly unknown[]).includes(v.code);
}
