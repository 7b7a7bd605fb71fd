import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppFailure } from '../../src/shared/contract';
import { IT_PIN_COOLDOWN_MS, IT_PIN_MAX_TRIES, IT_SESSION_IDLE_MS } from '../../src/shared/contract/it-views';
import { fileItAccessStore, IT_ACCESS_FILE, ItGate, memoryItAccessStore, setItPin, type ItAccessStore } from '../../src/main/core/it/it-gate';
import { hashManagerPin, verifyManagerPin } from '../../src/main/core/ledger/manager-pin';
import { seededRandom } from '../../src/main/core/ports';

const CHEAP = { N: 1024, r: 8, p: 1 };
const PIN = '739150';

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (error) {
    return error instanceof AppFailure ? error.code : `not an AppFailure: ${String(error)}`;
  }
}

let dir: string;
let now: number;
const clock = { now: () => now };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-it-gate-'));
  now = Date.UTC(2026, 11, 7, 9);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the IT PIN at rest', () => {
  it('is stored as a salted scrypt hash in a 0600 file, never as the PIN', () => {
    const store = fileItAccessStore(dir);
    setItPin(store, PIN, seededRandom(1), CHEAP);
    const path = join(dir, IT_ACCESS_FILE);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(PIN);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const { pinHash } = store.load();
    expect(pinHash).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(verifyManagerPin(PIN, pinHash!)).toBe(true);
    // Salted: the same PIN set twice is two different hashes.
    setItPin(store, PIN, seededRandom(2), CHEAP);
    expect(store.load().pinHash).not.toBe(pinHash);
  });

  it('refuses a PIN that is not 4 to 12 digits', () => {
    expect(() => setItPin(memoryItAccessStore(), '12a4', seededRandom(1), CHEAP)).toThrow(/4 to 12 digits/);
    expect(() => setItPin(memoryItAccessStore(), '123', seededRandom(1), CHEAP)).toThrow(/4 to 12 digits/);
  });

  it('opens nothing from a damaged or foreign file', () => {
    const store = fileItAccessStore(dir);
    store.save({ pinHash: 'plain-1234', failures: 0, lockedUntil: null });
    expect(store.load().pinHash).toBeNull();
    const gate = new ItGate({ store, clock });
    expect(codeOf(() => gate.unlock('1234'))).toBe('unavailable');
  });
});

describe('the IT session', () => {
  let store: ItAccessStore;
  let gate: ItGate;
  beforeEach(() => {
    store = memoryItAccessStore({ pinHash: hashManagerPin(PIN, seededRandom(3), CHEAP) });
    gate = new ItGate({ store, clock });
  });

  it('is closed until the right PIN, and refuses without one set', () => {
    expect(codeOf(() => gate.require())).toBe('it_locked');
    expect(codeOf(() => gate.unlock('000000'))).toBe('forbidden');
    expect(codeOf(() => gate.require())).toBe('it_locked');
    expect(gate.unlock(PIN)).toEqual({ expiresAt: now + IT_SESSION_IDLE_MS });
    expect(codeOf(() => gate.require())).toBeNull();
    const unset = new ItGate({ store: memoryItAccessStore(), clock });
    expect(codeOf(() => unset.unlock(PIN))).toBe('unavailable');
  });

  it('lapses after the idle time without a call, each call restarting it, and on lock', () => {
    gate.unlock(PIN);
    now += IT_SESSION_IDLE_MS - 1;
    expect(codeOf(() => gate.require())).toBeNull();
    now += IT_SESSION_IDLE_MS - 1;
    expect(codeOf(() => gate.require())).toBeNull();
    now += IT_SESSION_IDLE_MS;
    expect(codeOf(() => gate.require())).toBe('it_locked');
    // Once lapsed it stays shut, even if time went back.
    now -= IT_SESSION_IDLE_MS;
    expect(codeOf(() => gate.require())).toBe('it_locked');
    gate.unlock(PIN);
    gate.lock();
    expect(codeOf(() => gate.require())).toBe('it_locked');
  });

  it('cools down after the wrong tries, even for the right PIN, and the count restarts after it', () => {
    for (let i = 1; i < IT_PIN_MAX_TRIES; i++) expect(codeOf(() => gate.unlock('111111'))).toBe('forbidden');
    expect(codeOf(() => gate.unlock('111111'))).toBe('rate_limited');
    expect(codeOf(() => gate.unlock(PIN))).toBe('rate_limited');
    now += IT_PIN_COOLDOWN_MS - 1;
    expect(codeOf(() => gate.unlock(PIN))).toBe('rate_limited');
    now += 1;
    expect(codeOf(() => gate.unlock(PIN))).toBeNull();
    // A right PIN forgets the earlier wrong ones.
    for (let i = 1; i < IT_PIN_MAX_TRIES; i++) expect(codeOf(() => gate.unlock('111111'))).toBe('forbidden');
    expect(codeOf(() => gate.unlock(PIN))).toBeNull();
    expect(codeOf(() => gate.unlock('111111'))).toBe('forbidden');
  });

  it('keeps its cool-down across a restart (a new gate on the same file)', () => {
    const fileStore = fileItAccessStore(dir);
    setItPin(fileStore, PIN, seededRandom(4), CHEAP);
    const first = new ItGate({ store: fileStore, clock });
    for (let i = 0; i < IT_PIN_MAX_TRIES; i++) codeOf(() => first.unlock('222222'));
    const afterRestart = new ItGate({ store: fileItAccessStore(dir), clock });
    expect(codeOf(() => afterRestart.unlock(PIN))).toBe('rate_limited');
    // Setting the PIN again (IT on the machine) lifts it.
    setItPin(fileStore, PIN, seededRandom(5), CHEAP);
    expect(codeOf(() => afterRestart.unlock(PIN))).toBeNull();
  });

  it('closes a live session when someone types a wrong PIN', () => {
    gate.unlock(PIN);
    codeOf(() => gate.unlock('999999'));
    expect(codeOf(() => gate.require())).toBe('it_locked');
  });
});
