import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY_CONFIG,
  initialPolicyState,
  QUIET,
  step,
  type Activity,
  type PolicyEffect,
  type PolicyEvent,
  type PolicyState,
} from '../../src/main/core/updates/policy';
import type { SafeMomentBlocker } from '../../src/shared/updates/directive';
import { directive, release } from './policy-fixture';

const config = DEFAULT_POLICY_CONFIG;
// Monday 2026-03-02 14:00 in Paris (UTC+1): outside a 22:00 → 05:00 window.
const AFTERNOON = Date.UTC(2026, 2, 2, 13, 0);
// The same night at 23:30 Paris: inside it.
const NIGHT = Date.UTC(2026, 2, 2, 22, 30);
const WINDOW = { start: '22:00', end: '05:00', timeZone: 'Europe/Paris' };

/** Drives the policy as the glue would, keeping every effect it asked for. */
class Driver {
  s: PolicyState;
  effects: PolicyEffect[] = [];
  constructor(
    public now: number,
    installed = '1.0.0',
  ) {
    this.s = initialPolicyState(installed, now, config);
  }
  send(event: PolicyEvent): PolicyEffect[] {
    const out = step(this.s, event, this.now, config);
    this.s = out.state;
    this.effects.push(...out.effects);
    return out.effects;
  }
  get attempt(): number {
    return this.s.attempt;
  }
  /** Directive → download → verified: the install now waits for its moment. */
  toVerified(d: Parameters<typeof directive>[1] = {}, version = '1.1.0'): void {
    this.send({ type: 'directive', directive: directive(release(version), d) });
    this.send({ type: 'download-done', attempt: this.attempt, file: '/tmp/dl/fidele.AppImage' });
    this.send({ type: 'verify-ok', attempt: this.attempt });
  }
  kinds(): string[] {
    return this.effects.map((e) => e.kind);
  }
}

const busy: Array<[SafeMomentBlocker, Partial<Activity>]> = [
  ['sale-open', { saleOpen: true }],
  ['enrolment-open', { enrolmentOpen: true }],
  ['print-pending', { printPending: true }],
  ['sync-in-flight', { syncInFlight: true }],
];

describe('update policy: the path to an install', () => {
  it('a directive naming a newer release starts a download, then verification, then the install at a safe moment', () => {
    const d = new Driver(NIGHT);
    const target = release('1.1.0');
    const first = d.send({ type: 'directive', directive: directive(target, { maintenanceWindow: WINDOW }) });
    expect(d.s.state).toBe('downloading');
    expect(first).toEqual([expect.objectContaining({ kind: 'download', target: target.manifest })]);
    d.send({ type: 'download-progress', attempt: d.attempt, transferred: 250, total: 1000 });
    expect(d.s.progress).toEqual({ transferred: 250, total: 1000 });
    expect(d.send({ type: 'download-done', attempt: d.attempt, file: '/f' })).toEqual([{ kind: 'verify', attempt: d.attempt, file: '/f', release: target }]);
    expect(d.s.state).toBe('verifying');
    expect(d.send({ type: 'verify-ok', attempt: d.attempt })).toEqual([{ kind: 'backup', attempt: d.attempt, target: target.manifest }]);
    expect(d.s.state).toBe('backing-up');
    expect(d.send({ type: 'backup-done', attempt: d.attempt })).toEqual([{ kind: 'install', attempt: d.attempt, file: '/f', target: target.manifest }]);
    expect(d.s.state).toBe('installing');
  });

  it('the installed version or no target leaves the terminal idle', () => {
    const d = new Driver(NIGHT, '1.1.0');
    d.send({ type: 'directive', directive: directive(release('1.1.0')) });
    expect(d.s.state).toBe('idle');
    d.send({ type: 'directive', directive: directive(null) });
    d.send({ type: 'directive', directive: null });
    expect(d.s.state).toBe('idle');
    expect(d.effects).toEqual([]);
  });

  it('checks with HQ on its schedule, not before', () => {
    const d = new Driver(NIGHT);
    d.now += config.checkEveryMs - 1;
    d.send({ type: 'tick' });
    expect(d.s.state).toBe('idle');
    d.now += 1;
    expect(d.send({ type: 'tick' })).toEqual([{ kind: 'check' }]);
    expect(d.s.state).toBe('checking');
    d.send({ type: 'check-failed', message: 'HQ unreachable' });
    expect(d.s.state).toBe('idle');
    expect(d.s.nextCheckAt).toBe(d.now + config.checkEveryMs);
  });
});

describe('update policy: every safe-moment condition holds the install back on its own', () => {
  for (const [blocker, activity] of busy) {
    it(`${blocker}`, () => {
      const d = new Driver(NIGHT);
      d.send({ type: 'activity', activity: { ...QUIET, ...activity } });
      d.toVerified({ maintenanceWindow: WINDOW });
      expect(d.s.state).toBe('waiting');
      expect(d.s.waitingFor).toEqual([blocker]);
      d.now += 10 * 60_000;
      d.send({ type: 'tick' });
      expect(d.s.state).toBe('waiting');
      expect(d.kinds()).not.toContain('backup');
      d.send({ type: 'activity', activity: QUIET });
      expect(d.s.state).toBe('backing-up');
    });
  }

  it('customer-active: the customer screen used less than the idle delay ago', () => {
    const d = new Driver(NIGHT);
    d.send({ type: 'activity', activity: { ...QUIET, lastCustomerActivityAt: NIGHT - 1000 } });
    d.toVerified({ maintenanceWindow: WINDOW });
    expect(d.s.waitingFor).toEqual(['customer-active']);
    d.now = NIGHT - 1000 + config.customerIdleMs - 1;
    d.send({ type: 'tick' });
    expect(d.s.state).toBe('waiting');
    d.now += 1;
    d.send({ type: 'tick' });
    expect(d.s.state).toBe('backing-up');
  });

  it('outside-window: a verified release waits for the store\'s maintenance window', () => {
    const d = new Driver(AFTERNOON);
    d.toVerified({ maintenanceWindow: WINDOW });
    expect(d.s.waitingFor).toEqual(['outside-window']);
    d.now = Date.UTC(2026, 2, 2, 20, 59); // 21:59 Paris
    d.send({ type: 'tick' });
    expect(d.s.state).toBe('waiting');
    d.now = Date.UTC(2026, 2, 2, 21, 0); // 22:00 Paris
    d.send({ type: 'tick' });
    expect(d.s.state).toBe('backing-up');
  });

  it('a sale opened while the backup ran sends the install back to waiting', () => {
    const d = new Driver(NIGHT);
    d.toVerified();
    expect(d.s.state).toBe('backing-up');
    d.send({ type: 'activity', activity: { ...QUIET, saleOpen: true } });
    d.send({ type: 'backup-done', attempt: d.attempt });
    expect(d.s.state).toBe('waiting');
    expect(d.s.waitingFor).toEqual(['sale-open']);
    expect(d.kinds()).not.toContain('install');
    d.send({ type: 'activity', activity: QUIET });
    expect(d.s.state).toBe('backing-up');
  });
});

describe('update policy: forced minimum version', () => {
  it('installs outside the window when the running version is below HQ\'s minimum, still at a safe moment', () => {
    const d = new Driver(AFTERNOON);
    d.send({ type: 'activity', activity: { ...QUIET, saleOpen: true } });
    d.toVerified({ maintenanceWindow: WINDOW, minAppVersion: '1.1.0' });
    expect(d.s.waitingFor).toEqual(['sale-open']);
    d.send({ type: 'activity', activity: QUIET });
    expect(d.s.state).toBe('backing-up');
  });

  it('a minimum raised while waiting lifts the window at once', () => {
    const d = new Driver(AFTERNOON);
    d.toVerified({ maintenanceWindow: WINDOW });
    expect(d.s.waitingFor).toEqual(['outside-window']);
    d.send({ type: 'directive', directive: directive(release('1.1.0'), { maintenanceWindow: WINDOW, minAppVersion: '1.1.0' }) });
    expect(d.s.state).toBe('backing-up');
  });
});

describe('update policy: failures end in a clear state, the installed version keeps running', () => {
  it('backs off exponentially on repeated download failures, capped at an hour', () => {
    const d = new Driver(NIGHT);
    d.send({ type: 'directive', directive: directive(release('1.1.0')) });
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      d.send({ type: 'download-failed', attempt: d.attempt, code: 'hq-unreachable', message: 'connection reset' });
      expect(d.s.state).toBe('failed');
      expect(d.s.lastError?.code).toBe('hq-unreachable');
      const retryAt = d.s.retryAt!;
      waits.push(retryAt - d.now);
      d.now = retryAt - 1;
      expect(d.send({ type: 'tick' })).toEqual([]);
      d.now = retryAt;
      expect(d.send({ type: 'tick' })).toEqual([expect.objectContaining({ kind: 'download' })]);
    }
    expect(waits.map((w) => w / 60_000)).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
    expect(d.kinds()).not.toContain('install');
    // The pulls that keep arriving do not bypass the backoff.
    d.send({ type: 'download-failed', attempt: d.attempt, code: 'download-failed', message: 'x' });
    expect(d.send({ type: 'directive', directive: directive(release('1.1.0')) })).toEqual([]);
    expect(d.s.state).toBe('failed');
  });

  it('a lower version is refused unless HQ signed it as a rollback', () => {
    const d = new Driver(NIGHT, '1.2.0');
    d.send({ type: 'directive', directive: directive(release('1.1.0')) });
    expect(d.s.state).toBe('failed');
    expect(d.s.lastError?.code).toBe('downgrade-refused');
    expect(d.s.retryAt).toBeNull();
    expect(d.effects).toEqual([]);
    d.send({ type: 'directive', directive: directive(release('1.1.0', { allowDowngrade: true })) });
    expect(d.s.state).toBe('downloading');
  });

  it('an unknown channel is refused with its name, once', () => {
    const d = new Driver(NIGHT);
    const raw = { ...directive(release('1.1.0')), channel: 'nightly' };
    d.send({ type: 'directive', directive: raw });
    expect(d.s.state).toBe('failed');
    expect(d.s.lastError).toMatchObject({ code: 'unknown-channel' });
    expect(d.s.lastError?.message).toContain('nightly');
    const at = d.s.lastError!.at;
    d.now += 5000;
    d.send({ type: 'directive', directive: raw });
    expect(d.s.lastError!.at).toBe(at);
    // A release of another channel than the one the terminal follows.
    const other = new Driver(NIGHT);
    other.send({ type: 'directive', directive: directive(release('1.1.0', { channel: 'pilot' })) });
    expect(other.s.lastError?.code).toBe('unknown-channel');
    expect(other.effects).toEqual([]);
  });

  it('a bad signature deletes the file and is not retried until HQ sends another release', () => {
    const d = new Driver(NIGHT);
    d.send({ type: 'directive', directive: directive(release('1.1.0')) });
    d.send({ type: 'download-done', attempt: d.attempt, file: '/f' });
    const effects = d.send({ type: 'verify-failed', attempt: d.attempt, code: 'bad-signature', message: 'not signed by a trusted release key' });
    expect(effects).toEqual([{ kind: 'discard', file: '/f' }]);
    expect(d.s).toMatchObject({ state: 'failed', file: null, retryAt: null, lastError: { code: 'bad-signature', version: '1.1.0' } });
    d.now += 24 * 60 * 60_000;
    d.send({ type: 'tick' });
    d.send({ type: 'directive', directive: directive(release('1.1.0')) });
    expect(d.kinds().filter((k) => k === 'download')).toHaveLength(1);
    d.send({ type: 'directive', directive: directive(release('1.1.1')) });
    expect(d.s.state).toBe('downloading');
  });

  for (const code of ['sha512-mismatch', 'size-mismatch'] as const) {
    it(`${code} deletes the file and downloads again after the backoff`, () => {
      const d = new Driver(NIGHT);
      d.send({ type: 'directive', directive: directive(release('1.1.0')) });
      d.send({ type: 'download-done', attempt: d.attempt, file: '/f' });
      expect(d.send({ type: 'verify-failed', attempt: d.attempt, code, message: 'x' })).toEqual([{ kind: 'discard', file: '/f' }]);
      expect(d.s).toMatchObject({ state: 'failed', lastError: { code } });
      d.now = d.s.retryAt!;
      expect(d.send({ type: 'tick' })).toEqual([expect.objectContaining({ kind: 'download' })]);
      expect(d.kinds()).not.toContain('install');
    });
  }

  it('disk full during the backup: no install, the verified file is kept and the backup tried again later', () => {
    const d = new Driver(NIGHT);
    d.toVerified();
    d.send({ type: 'backup-failed', attempt: d.attempt, code: 'disk-full', message: 'SQLITE_FULL' });
    expect(d.s).toMatchObject({ state: 'failed', lastError: { code: 'disk-full' }, file: '/tmp/dl/fidele.AppImage' });
    expect(d.kinds()).not.toContain('install');
    d.now = d.s.retryAt!;
    expect(d.send({ type: 'tick' })).toEqual([expect.objectContaining({ kind: 'backup' })]);
  });

  it('an install that could not start is retried after the backoff', () => {
    const d = new Driver(NIGHT);
    d.toVerified();
    d.send({ type: 'backup-done', attempt: d.attempt });
    d.send({ type: 'install-failed', attempt: d.attempt, message: 'APPIMAGE is not set' });
    expect(d.s).toMatchObject({ state: 'failed', lastError: { code: 'install-failed' } });
    d.now = d.s.retryAt!;
    d.send({ type: 'tick' });
    expect(d.s.state).toBe('backing-up');
  });

  it('answers from an abandoned attempt are ignored and their file deleted', () => {
    const d = new Driver(NIGHT);
    d.send({ type: 'directive', directive: directive(release('1.1.0')) });
    const old = d.attempt;
    const effects = d.send({ type: 'directive', directive: directive(release('1.2.0')) });
    expect(effects).toEqual([{ kind: 'abort-download', attempt: old }, expect.objectContaining({ kind: 'download', target: expect.objectContaining({ version: '1.2.0' }) })]);
    expect(d.send({ type: 'download-done', attempt: old, file: '/old' })).toEqual([{ kind: 'discard', file: '/old' }]);
    expect(d.s.state).toBe('downloading');
    expect(d.send({ type: 'verify-ok', attempt: old })).toEqual([]);
  });

  it('a rollout paused while waiting deletes the verified file', () => {
    const d = new Driver(AFTERNOON);
    d.toVerified({ maintenanceWindow: WINDOW });
    expect(d.send({ type: 'directive', directive: directive(null) })).toEqual([{ kind: 'discard', file: '/tmp/dl/fidele.AppImage' }]);
    expect(d.s).toMatchObject({ state: 'idle', file: null, target: null });
  });
});
