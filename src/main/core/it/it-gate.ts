import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppFailure } from '../../../shared/contract/errors';
import { IT_PIN_COOLDOWN_MS, IT_PIN_MAX_TRIES, IT_SESSION_IDLE_MS, type ItSessionView } from '../../../shared/contract/it-views';
import { DEFAULT_SCRYPT, hashManagerPin, verifyManagerPin, type ScryptParams } from '../ledger/manager-pin';
import type { Clock, Random } from '../ports';

/**
 * The IT PIN and its wrong tries, kept in the data folder and not in the
 * terminal's configuration: IT sets it on the machine (npm run it:pin), the
 * manager never learns it, and a restart does not forget a cool-down.
 */
export interface ItAccessRecord {
  /** `scrypt$N$r$p$salt$hash`, as the manager's PIN (ledger/manager-pin.ts); null: no IT PIN set yet. */
  pinHash: string | null;
  /** Wrong PINs since the last right one or the last cool-down. */
  failures: number;
  lockedUntil: number | null;
}

export interface ItAccessStore {
  load(): ItAccessRecord;
  save(record: ItAccessRecord): void;
}

export const IT_ACCESS_FILE = 'it-access.json';

const EMPTY: ItAccessRecord = { pinHash: null, failures: 0, lockedUntil: null };
const HASH_FORMAT = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/;

function parseRecord(value: unknown): ItAccessRecord {
  const v = (value ?? {}) as Record<string, unknown>;
  return {
    pinHash: typeof v.pinHash === 'string' && HASH_FORMAT.test(v.pinHash) ? v.pinHash : null,
    failures: Number.isSafeInteger(v.failures) && (v.failures as number) >= 0 ? (v.failures as number) : 0,
    lockedUntil: Number.isSafeInteger(v.lockedUntil) ? (v.lockedUntil as number) : null,
  };
}

/** <dataDir>/it-access.json, 0600, replaced whole (a power cut leaves the old file or the new one). */
export function fileItAccessStore(dataDir: string): ItAccessStore {
  const path = join(dataDir, IT_ACCESS_FILE);
  return {
    load() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        return { ...EMPTY };
      }
      try {
        return parseRecord(JSON.parse(text));
      } catch {
        // A damaged file opens nothing: IT sets the PIN again.
        return { ...EMPTY };
      }
    },
    save(record) {
      const temp = `${path}.tmp`;
      writeFileSync(temp, JSON.stringify(record) + '\n', { mode: 0o600 });
      chmodSync(temp, 0o600);
      renameSync(temp, path);
    },
  };
}

export function memoryItAccessStore(initial: Partial<ItAccessRecord> = {}): ItAccessStore {
  let record: ItAccessRecord = { ...EMPTY, ...initial };
  return {
    load: () => ({ ...record }),
    save: (next) => {
      record = { ...next };
    },
  };
}

/** Sets (or replaces) the IT PIN; wrong tries and any cool-down are forgotten. */
export function setItPin(store: ItAccessStore, pin: string, random: Random, params: ScryptParams = DEFAULT_SCRYPT): void {
  if (!/^\d{4,12}$/.test(pin)) throw new Error('the IT PIN is 4 to 12 digits');
  store.save({ pinHash: hashManagerPin(pin, random, params), failures: 0, lockedUntil: null });
}

export interface ItGateOptions {
  store: ItAccessStore;
  clock: Clock;
  idleMs?: number;
  maxTries?: number;
  cooldownMs?: number;
}

/**
 * The IT session, enforced here in the main process: the screen only shows
 * what these answers allow. One session for the terminal (one cashier window);
 * it lapses after `idleMs` without an IT call, and on lock.
 */
export class ItGate {
  private lastActivity: number | null = null;
  private readonly idleMs: number;
  private readonly maxTries: number;
  private readonly cooldownMs: number;

  constructor(private readonly options: ItGateOptions) {
    this.idleMs = options.idleMs ?? IT_SESSION_IDLE_MS;
    this.maxTries = options.maxTries ?? IT_PIN_MAX_TRIES;
    this.cooldownMs = options.cooldownMs ?? IT_PIN_COOLDOWN_MS;
  }

  unlock(pin: string): ItSessionView {
    // Whoever types a PIN starts from a locked view, right or wrong.
    this.lastActivity = null;
    const now = this.options.clock.now();
    const record = this.options.store.load();
    if (record.lockedUntil !== null && now < record.lockedUntil) {
      throw new AppFailure('rate_limited', 'too many wrong IT PINs: wait for the cool-down', [{ path: 'pin', message: 'it.pin.cooldown' }]);
    }
    if (record.pinHash === null) {
      throw new AppFailure('unavailable', 'no IT PIN is set on this terminal (npm run it:pin)', [{ path: 'pin', message: 'it.pin.unset' }]);
    }
    if (verifyManagerPin(pin, record.pinHash)) {
      this.options.store.save({ pinHash: record.pinHash, failures: 0, lockedUntil: null });
      this.lastActivity = now;
      return { expiresAt: now + this.idleMs };
    }
    const failures = record.failures + 1;
    if (failures >= this.maxTries) {
      this.options.store.save({ pinHash: record.pinHash, failures: 0, lockedUntil: now + this.cooldownMs });
      throw new AppFailure('rate_limited', 'too many wrong IT PINs: wait for the cool-down', [{ path: 'pin', message: 'it.pin.cooldown' }]);
    }
    this.options.store.save({ pinHash: record.pinHash, failures, lockedUntil: null });
    throw new AppFailure('forbidden', 'wrong IT PIN', [{ path: 'pin', message: 'it.pin.wrong' }]);
  }

  lock(): void {
    this.lastActivity = null;
  }

  /** The live session, its idle time restarted; `it_locked` without one. */
  require(): ItSessionView {
    const now = this.options.clock.now();
    if (this.lastActivity === null || now - this.lastActivity >= this.idleMs) {
      this.lastActivity = null;
      throw new AppFailure('it_locked', 'no IT session: unlock with the IT PIN');
    }
    this.lastActivity = now;
    return { expiresAt: now + this.idleMs };
  }
}
