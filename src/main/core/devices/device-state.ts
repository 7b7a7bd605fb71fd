import type { DeviceKind, DeviceState, DeviceStatus } from './device';
import { Listeners } from './listeners';

/**
 * What is wrong (or worth knowing) beyond the UnifiedPOS state: the status bar
 * shows "paper low", "NFC reader missing" from this. `ok` when nothing is.
 */
export type DeviceCondition =
  | 'ok'
  | 'missing'
  | 'reconnecting'
  | 'offline'
  | 'paper_low'
  | 'paper_out'
  | 'cover_open'
  | 'printer_error'
  | 'not_responding'
  /** Something answers on the port, but not the device configured there (a PN533 where a PN532 belongs). */
  | 'wrong_device';

/** A device's status as the runtime reports it: the contract's fields plus the condition and pending work. */
export interface DeviceReport extends DeviceStatus {
  condition: DeviceCondition;
  /** Print jobs kept and not yet confirmed (printers only). */
  pendingJobs?: number;
  /** The transport or path it is bound to, for the diagnostics view. */
  endpoint?: string;
}

/** Something a driver noticed and dropped: garbage bytes, a bad checksum, a scan that is no card. */
export interface DeviceDiagnostic {
  deviceId: string;
  at: number;
  code: string;
  detail?: string;
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: DeviceState,
    readonly to: DeviceState,
  ) {
    super(`illegal device transition ${from} → ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

// UnifiedPOS: open, claim, enable, then back down the same steps; close from anywhere; error from anywhere
// once opened, and out of error only by closing or by re-opening the hardware (a reconnect).
const ALLOWED: Record<DeviceState, readonly DeviceState[]> = {
  closed: ['opened', 'error'],
  opened: ['claimed', 'closed', 'error'],
  claimed: ['enabled', 'opened', 'closed', 'error'],
  enabled: ['claimed', 'closed', 'error'],
  error: ['opened', 'closed'],
};

export function canTransition(from: DeviceState, to: DeviceState): boolean {
  return ALLOWED[from].includes(to);
}

/** One device's lifecycle: refuses illegal transitions and tells listeners of every change. */
export class DeviceStateMachine {
  private current: DeviceState = 'closed';
  private currentCondition: DeviceCondition = 'ok';
  private readonly listeners = new Listeners<DeviceReport>();
  private extra: Pick<DeviceReport, 'pendingJobs' | 'endpoint'> = {};

  constructor(
    readonly id: string,
    readonly kind: DeviceKind,
    readonly name: string,
    readonly simulated: boolean,
  ) {}

  get state(): DeviceState {
    return this.current;
  }

  get condition(): DeviceCondition {
    return this.currentCondition;
  }

  report(): DeviceReport {
    return {
      id: this.id,
      kind: this.kind,
      name: this.name,
      state: this.current,
      simulated: this.simulated,
      condition: this.currentCondition,
      ...this.extra,
    };
  }

  /** Moves to `to` or throws; a move to the current state is a no-op. */
  to(to: DeviceState, condition?: DeviceCondition): void {
    if (to === this.current) {
      if (condition !== undefined) this.setCondition(condition);
      return;
    }
    if (!canTransition(this.current, to)) throw new IllegalTransitionError(this.current, to);
    this.current = to;
    if (condition !== undefined) this.currentCondition = condition;
    this.emit();
  }

  /** Walks up the lifecycle from wherever it is to `enabled`, each step legal. */
  enableFrom(condition: DeviceCondition = 'ok'): void {
    if (this.current === 'closed' || this.current === 'error') this.to('opened');
    if (this.current === 'opened') this.to('claimed');
    this.to('enabled', condition);
  }

  setCondition(condition: DeviceCondition): void {
    if (condition === this.currentCondition) return;
    this.currentCondition = condition;
    this.emit();
  }

  setExtra(extra: Pick<DeviceReport, 'pendingJobs' | 'endpoint'>): void {
    const next = { ...this.extra, ...extra };
    if (next.pendingJobs === this.extra.pendingJobs && next.endpoint === this.extra.endpoint) return;
    this.extra = next;
    this.emit();
  }

  onChange(listener: (report: DeviceReport) => void): () => void {
    return this.listeners.add(listener);
  }

  private emit(): void {
    const report = this.report();
    this.listeners.emit(report);
  }
}
