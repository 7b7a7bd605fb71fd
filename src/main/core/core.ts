import { AppFailure, type IdentifyResult } from '../../shared/contract';
import { classifyCode } from '../../shared/domain/scan-code';
import type { TerminalConfig } from './config/terminal-config';
import { openDatabase, type Db } from './db/database';
import { DeviceManager } from './devices/device-manager';
import { SimulatedScanner } from './devices/simulated-scanner';
import { EventBus } from './events';
import { enrolMember } from './members/enrolment';
import { MemberSearch } from './members/member-search';
import { MemberStore } from './members/member-store';
import type { Clock, Logger, Random } from './ports';
import { createDispatch, type Dispatch, type Handlers } from './rpc/dispatch';
import { createLedger, type Ledger } from './ledger/ledger';
import { Loyalty } from './loyalty';
import { ScanRouter } from './session/scan-router';
import { CustomerSession } from './session/customer-session';

export interface CoreOptions {
  /** Path of the SQLite file, or ':memory:' in tests. */
  dbPath: string;
  config: TerminalConfig;
  shell: 'electron' | 'browser';
  clock: Clock;
  random: Random;
  logger: Logger;
  /** Check every handler's output against its schema (tests and development). */
  validateOutput?: boolean;
  /** The loyalty program; the shipped default when absent. */
  programRules?: unknown;
  /** A clock that never goes back (performance.now in production), for offline limits and holds. */
  monotonic?: { now(): number };
}

/** Expiry runs at start and then this often, so points past their date cannot be spent. */
const EXPIRY_EVERY_MS = 60 * 60_000;

export interface Core {
  readonly db: Db;
  readonly bus: EventBus;
  readonly devices: DeviceManager;
  readonly members: MemberStore;
  readonly session: CustomerSession;
  readonly ledger: Ledger;
  readonly loyalty: Loyalty;
  readonly handlers: Handlers;
  readonly dispatch: Dispatch;
  start(): Promise<void>;
  close(): Promise<void>;
}

export const SIMULATED_SCANNER_ID = 'sim-scanner';

/** The composition root: everything the shells (Electron, the web bridge, tests) need, built from injected ports. */
export function createCore(options: CoreOptions): Core {
  const { config, clock, random, logger } = options;
  const db = openDatabase(options.dbPath);
  const bus = new EventBus();
  const members = new MemberStore(db);
  const search = new MemberSearch(db, members);
  const session = new CustomerSession(clock, bus, config.enrolmentMaxMs);
  const devices = new DeviceManager(logger);
  const ledger = createLedger({
    db,
    clock,
    random,
    logger,
    terminalId: config.terminalId,
    rules: options.programRules,
    monotonic: options.monotonic,
    policy: {
      ...(config.adjustmentThresholdPoints !== undefined ? { managerThresholdPoints: config.adjustmentThresholdPoints } : {}),
      ...(config.managerPinHash ? { managerPinHash: config.managerPinHash } : {}),
    },
  });
  const loyalty = new Loyalty(ledger, members, bus, clock, random, (moved) =>
    session.pointsMoved(moved.memberId, { balance: moved.balance, nextReward: moved.nextReward }),
  );
  const pointsOf = (memberId: string) => {
    const balance = ledger.points(memberId).balance;
    return { balance, nextReward: loyalty.nextReward(balance) };
  };

  if (config.devices === 'simulated') {
    devices.add(new SimulatedScanner(SIMULATED_SCANNER_ID, 'Scanner simulé', clock));
  }
  devices.onStatus((status) => bus.emit('device.changed', status));

  function identify(code: string): IdentifyResult {
    const scan = classifyCode(code);
    if (scan.kind === 'invalid') return { kind: 'invalid', problem: scan.problem };
    const member = members.findByCard(scan.cardNumber);
    if (!member) return { kind: 'unknown_card', cardNumber: scan.cardNumber };
    session.identified(member, pointsOf(member.id));
    return { kind: 'member', via: scan.kind, member };
  }

  const scans = new ScanRouter({ session, bus, identify });
  devices.onScan((scan) => scans.handle(scan));

  const handlers: Handlers = {
    'terminal.info': () => ({
      terminalId: config.terminalId,
      storeName: config.storeName,
      locale: config.locale,
      shell: options.shell,
      devices: config.devices,
      enrolmentIdleMs: config.enrolmentIdleMs,
      consentWordingVersion: config.consentWordingVersion,
      privacyNoticeUrl: config.privacyNoticeUrl,
    }),
    'member.identify': (_ctx, { code }) => {
      if (session.isEnrolling()) throw new AppFailure('busy', 'a customer is enrolling on the customer screen');
      return identify(code);
    },
    'member.search': (_ctx, { query, limit }) => ({ hits: search.search(query, limit) }),
    'member.get': (_ctx, { memberId }) => {
      const member = members.detail(memberId);
      if (!member) throw new AppFailure('not_found', 'no such member');
      return member;
    },
    'member.select': (_ctx, { memberId }) => {
      if (session.isEnrolling()) throw new AppFailure('busy', 'a customer is enrolling on the customer screen');
      const member = members.summary(memberId);
      if (!member) throw new AppFailure('not_found', 'no such member');
      session.identified(member, pointsOf(member.id));
      return member;
    },
    'session.get': () => session.current(),
    'session.clear': () => session.clear(),
    'enrolment.start': (ctx, { presetCardNumber }) => {
      if (presetCardNumber !== null && members.cardExists(presetCardNumber)) {
        throw new AppFailure('conflict', 'this card already belongs to a member');
      }
      return session.startEnrolment(ctx.role, presetCardNumber);
    },
    'enrolment.cancel': () => session.cancelEnrolment(),
    'enrolment.submit': (_ctx, form) => {
      const state = session.current();
      if (state.phase !== 'enrolling') throw new AppFailure('conflict', 'no enrolment is in progress');
      const enrolled = enrolMember(members, form, state.presetCardNumber, config, clock, random);
      session.enrolled(enrolled.member, enrolled.walletQr, pointsOf(enrolled.member.id));
      return enrolled;
    },
    'ledger.program': () => loyalty.program(),
    'ledger.account': (_ctx, { memberId }) => loyalty.account(memberId),
    'ledger.manualPreview': (_ctx, input) => loyalty.manualPreview(input),
    'ledger.manualCommit': (_ctx, input) => loyalty.manualCommit(input),
    'ledger.refund': (_ctx, input) => loyalty.refund(input),
    'ledger.zReport': (_ctx, { day }) => {
      const report = ledger.zReport(day ?? undefined);
      return { day: report.day, report: report as unknown as Record<string, unknown>, lines: ledger.zReportLines(report, config.locale) };
    },
    'sim.devices': () => ({ devices: devices.list() }),
    'sim.scan': (_ctx, { deviceId, data }) => {
      const device = devices.get(deviceId);
      if (!(device instanceof SimulatedScanner)) throw new AppFailure('unavailable', `no simulated scanner ${deviceId}`);
      return { accepted: device.inject(data) };
    },
  };

  const dispatch = createDispatch(handlers, { logger, validateOutput: options.validateOutput ?? false });

  let expiryTimer: ReturnType<typeof setInterval> | null = null;
  const expire = () => {
    try {
      ledger.runExpiry();
    } catch (error) {
      logger.error('points expiry failed', { error: String(error) });
    }
  };

  return {
    db,
    bus,
    devices,
    members,
    session,
    ledger,
    loyalty,
    handlers,
    dispatch,
    async start() {
      await ledger.start();
      expire();
      expiryTimer = setInterval(expire, EXPIRY_EVERY_MS);
      expiryTimer.unref?.();
      await devices.enableAll();
    },
    async close() {
      if (expiryTimer) clearInterval(expiryTimer);
      await devices.closeAll();
      db.close();
    },
  };
}
