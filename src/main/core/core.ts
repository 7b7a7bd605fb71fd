import { programmeRulesAt } from './programme/programme-book';
import { AppFailure, type DeviceInfo, type EventPayload, type IdentifyResult, type IncidentOutcomeView, type MethodOutput, type WedgeSettings } from '../../shared/contract';
import { DEFAULT_WEDGE_SETTINGS, detectWedgeLayout } from '../../shared/domain/keyboard-wedge';
import { currentAppVersion } from './app-version';
import type { TerminalConfig } from './config/terminal-config';
import { openDatabase, type Db } from './db/database';
import type { DeviceStatus } from './devices/device';
import { createDevices, type Devices } from './devices/create-devices';
import { loadTerminalDevicesConfig, type DevicesConfig } from './devices/device-config';
import { DeviceManager } from './devices/device-manager';
import type { DeviceReport } from './devices/device-state';
import { NfcPairing } from './devices/nfc-pairing';
import { systemTimers } from './devices/reconnect';
import { createSimulatedRig, type SimulatedRig } from './devices/simulated-rig';
import { SimulatedScanner } from './devices/simulated-scanner';
import { renderSvg } from './receipt/render-svg';
import { RefundReceipts } from './receipt/refund-receipt';
import { SaleReceipts } from './receipt/sale-receipts';
import { EventBus } from './events';
import { enrolMember } from './members/enrolment';
import { MemberSearch } from './members/member-search';
import { MemberStore } from './members/member-store';
import { LookupLog } from './privacy/lookup-log';
import { changeConsent } from './members/consents';
import { openMemberVault } from './privacy/member-vault';
import { retentionPolicy, startRetention } from './retention';
import type { Clock, Logger, Random } from './ports';
import { createDispatch, type Dispatch, type Handlers } from './rpc/dispatch';
import { incidentHandlers } from './incidents/handlers';
import { valueHintOf } from './value/value-hints';
import { tierOf } from './tiers/tier-store';
import { SelfService } from './privacy/self-service';
import { selfServiceHandlers } from './privacy/self-service-handlers';
import { privacyNoticeUrl } from './privacy/self-service-notice';
import { VoucherBook } from './vouchers/voucher-book';
import { RegularityBook } from './regularity/regularity-book';
import { regularitySettings } from './regularity/programme-regularity';
import { lookupProduct, productCount } from './products/catalogue';
import { withCatalogueLines } from './products/manual-lines';
import { pointsGesturesBefore } from './incidents/receipt-gestures';
import { SURVEY_OFF, SurveyPolicy } from './incidents/survey';
import { createLedger, DEFAULT_POLICY, type Ledger } from './ledger/ledger';
import { Loyalty } from './loyalty';
import { knownOfferCategories, Offers, programmeOffersAt } from './offers/offers';
import { Benefits } from './benefits/benefits';
import { hqSeatClient } from './benefits/seat-client';
import { Causes } from './social/causes';
import { Referrals } from './social/referrals';
import { socialPolicyAt } from './social/social-policy';
import { receiptSocial } from './social/receipt-lines';
import { cleanEmail } from '../../shared/domain/text';
import { manualBasket, saleCategories, ScreenOffers } from './offers/screen-offers';
import { isProductBarcode, ScanRouter } from './session/scan-router';
import { CustomerSession } from './session/customer-session';
import { currentEnrolment } from './sync/enrolment';
import { allowanceLimitsProvider } from './sync/offline-allowance';
import { chainPositions, storedProgramRules } from './sync/pull';
import { identifyOrProvisional } from './members/provisional';
import { sealTerminalKey, type KeyVault } from './sync/keys';
import { TerminalSync } from './sync/terminal-sync';
import type { FetchLike } from './sync/transport';
import type { Timers } from './devices/reconnect';
import { dirname } from 'node:path';
import { fileItAccessStore, ItGate, memoryItAccessStore, type ItAccessStore } from './it/it-gate';
import { itHandlers, type RestartShell } from './it/it-handlers';
import { LogRing, ringLogger } from './it/log-ring';
import { ItScanTest } from './it/test-scan';
import { createTerminalUpdates } from './updates/terminal-updates';
import type { UpdateService } from './updates/update-service';
import type { Updater } from './updates/updater-port';
import type { TrustedReleaseKey } from './updates/verify';

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
  /** `devices: 'real'`: the drivers to build; absent, resources/devices.default.json with $FIDELE_DEVICES_CONFIG laid over it. */
  devicesConfig?: DevicesConfig;
  /** How the sync client reaches HQ (config.hq); the global fetch by default. */
  hqFetch?: FetchLike;
  /** The sync client's timers; real ones by default. */
  syncTimers?: Timers;
  /** What HQ is told this terminal runs; this application's own version (app-version.ts) by default. */
  appVersion?: string;
  /** Seals the terminal's HQ key at rest: Electron's safeStorage, where the OS keychain offers it. */
  keyVault?: KeyVault;
  /** The data folder (IT PIN, diagnostics bundles); by default the database's folder, none with ':memory:'. */
  dataDir?: string | null;
  /** The redacted last log lines for the IT view, when the shell tees its logger into one; else the core keeps its own. */
  logRing?: LogRing;
  /** Where the IT PIN and its wrong tries are kept; by default <dataDir>/it-access.json. */
  itAccess?: ItAccessStore;
  /** How the shell restarts the app for the IT view; absent, it.restart says it cannot. */
  restart?: RestartShell;
  /** Fetches and installs builds (updates/updater-port.ts): electron-updater when packaged, the browser mode's stand-in; absent, nothing installs. */
  updater?: Updater | null;
  /** Release keys an install must be signed by; resources/release-keys by default (updates/verify.ts: only a development run adds its embedded HQ's). */
  releaseKeys?: readonly TrustedReleaseKey[];
  /** The update policy's tick (updates/update-service.ts); tests shorten it. */
  updateTickMs?: number;
}

/** Expiry runs at start and then this often, so points past their date cannot be spent. */
const EXPIRY_EVERY_MS = 60 * 60_000;

export interface Core {
  readonly db: Db;
  readonly bus: EventBus;
  readonly devices: DeviceManager;
  /** The device drivers of a 'rig' or 'real' terminal; null with the in-process simulated scanner. */
  readonly hardware: Devices | null;
  /** The protocol simulators behind the drivers in 'rig' mode. */
  readonly rig: SimulatedRig | null;
  readonly members: MemberStore;
  /** Who looked up which member, when (issue 17): for the member's access view. */
  readonly lookups: LookupLog;
  readonly session: CustomerSession;
  readonly ledger: Ledger;
  readonly loyalty: Loyalty;
  /** Offers from the basket and the contact-pressure ledger (issue 16 items 3 and 5). */
  readonly offers: Offers;
  /** Referrals and causes (issue 16 items 1 and 4, core/social). */
  readonly social: { referrals: Referrals; causes: Causes };
  readonly sync: TerminalSync;
  /** Relational benefits and the paid membership (issue 14 items 6 and 7, core/benefits). */
  readonly benefits: Benefits;
  /** When the customer screen asks how the visit went (incidents/survey.ts). */
  readonly survey: SurveyPolicy;
  /** The terminal's update policy and its glue (updates/update-service.ts). */
  readonly updates: UpdateService;
  readonly handlers: Handlers;
  readonly dispatch: Dispatch;
  start(): Promise<void>;
  close(): Promise<void>;
}

export const SIMULATED_SCANNER_ID = 'sim-scanner';

/** The composition root: everything the shells (Electron, the web bridge, tests) need, built from injected ports. */
export function createCore(options: CoreOptions): Core {
  const { config, clock, random } = options;
  const version = options.appVersion ?? currentAppVersion().version;
  // The IT view's last log lines: a shell tees its logger into the ring it passes; otherwise the core feeds one.
  const logRing = options.logRing ?? new LogRing();
  const logger = options.logRing ? options.logger : ringLogger(options.logger, logRing, clock);
  let wedge: WedgeSettings = { ...DEFAULT_WEDGE_SETTINGS, ...config.wedge };
  const db = openDatabase(options.dbPath);
  // A key an older build stored plain is sealed before anything can read it again.
  if (options.keyVault && sealTerminalKey(db, options.keyVault)) logger.info('the terminal key for HQ was sealed by the vault', { vault: options.keyVault.scheme });
  const bus = new EventBus();
  // Members' names and contact data sealed by a key the same vault protects (issue 17 item 5).
  const members = new MemberStore(db, openMemberVault(db, options.keyVault, clock.now()));
  const lookups = new LookupLog(db, clock, options.syncTimers ?? systemTimers);
  const search = new MemberSearch(db, members);
  const session = new CustomerSession(clock, bus, config.enrolmentMaxMs);
  const devices = new DeviceManager(logger);
  // Members' visit weeks, read once per member from their journal (issue 14 item 5).
  const regularity = new RegularityBook({ settingsFor: regularitySettings(db), history: (memberId, limit) => ledger.history(memberId, limit) });
  const regularityOf = (memberId: string) => regularity.view(memberId, clock.now(), ledger.rules);
  // Basic members' vouchers (issue 14 item 4): open ones, progress and tiers read once here, kept in memory.
  const vouchers = new VoucherBook(db, (memberId, limit) => ledger.history(memberId, limit));
  const voucherOf = (memberId: string) => vouchers.openFor(memberId, clock.now())[0] ?? null;
  const ledger = createLedger({
    db,
    clock,
    random,
    logger,
    terminalId: config.terminalId,
    // The program HQ sent in the last pull (validated when it was applied), else the one shipped.
    rules: options.programRules ?? storedProgramRules(db) ?? undefined,
    // The programme's signed versions from HQ, each sale priced by the one in force at its time.
    rulesAt: options.programRules ? undefined : programmeRulesAt(db),
    monotonic: options.monotonic,
    // Once enrolled, a balance is the chain-wide one HQ sent plus what happened here since, and HQ expires points.
    chain: chainPositions(db),
    expiresLocally: () => currentEnrolment(db, config.terminalId) === null,
    vouchers,
    regularity,
    // Once enrolled, offline redemption is bounded by HQ's signed allowance, not by this file.
    offlineLimits: allowanceLimitsProvider({ db, terminalId: config.terminalId, beforeEnrolment: () => DEFAULT_POLICY.offlineLimits }),
    policy: {
      // The journal writes the epoch HQ enrolled this terminal into; 1 until then.
      epoch: currentEnrolment(db, config.terminalId)?.epoch ?? 1,
      ...(config.adjustmentThresholdPoints !== undefined ? { managerThresholdPoints: config.adjustmentThresholdPoints } : {}),
      ...(config.managerPinHash ? { managerPinHash: config.managerPinHash } : {}),
    },
  });
  let receipts: SaleReceipts | null = null;
  let refundReceipts: RefundReceipts | null = null;
  const loyalty = new Loyalty(
    ledger,
    members,
    bus,
    clock,
    random,
    // The tier is read again too: what is left to the next one counts the sale just made.
    (moved) =>
      session.pointsMoved(moved.memberId, { balance: moved.balance, nextReward: moved.nextReward, voucher: voucherOf(moved.memberId), tier: tierOf(db, moved.memberId), regularity: regularityOf(moved.memberId) }),
    (sale, input) => {
      offers.saleCommitted(sale.memberId, saleCategories(input), sale.committedAt);
      rewardReferral(sale);
      benefits.saleCommitted(sale, input);
      receipts?.printSale(sale, input);
    },
    (refund) => refundReceipts?.print(refund),
    () => refreshShown('void'),
    (memberId) => tierOf(db, memberId),
    // A second membership for a period already paid is refused before the sale writes anything.
    (input) => benefits.checkSale(input),
  );
  const screenOffers = new ScreenOffers(
    () => session.shown()?.memberId ?? null,
    (shown) => bus.emit('offers.shown', shown),
  );
  const offers = new Offers({
    db,
    clock,
    logger,
    timeZone: () => ledger.rules.timeZone,
    categories: () => knownOfferCategories(db, loyalty.program()),
    tierOf: (memberId) => tierOf(db, memberId).tier,
    programme: programmeOffersAt(db, logger),
    onEvaluated: (memberId, at, evaluation) => screenOffers.evaluated(memberId, at, evaluation),
  });
  const socialPolicy = socialPolicyAt(db);
  const referrals = new Referrals({ db, ledger, members, clock, logger, policy: socialPolicy, standalone: () => currentEnrolment(db, config.terminalId) === null });
  const causes = new Causes({ db, ledger, clock, logger, policy: socialPolicy });
  /** A lone terminal rewards a referee's first qualifying purchase; the sale stands whatever happens here. */
  function rewardReferral(sale: Parameters<Referrals['afterSale']>[0]): void {
    try {
      if (referrals.afterSale(sale)) refreshShown('adjustment');
    } catch (error) {
      logger.error('referral reward failed', { error: String(error) });
    }
  }
  /** The member on the customer screen's code and the causes with their counters. */
  function socialView() {
    const shown = session.shown();
    return {
      referral: shown ? referrals.card(shown.memberId) : null,
      balance: shown ? ledger.points(shown.memberId).balance : null,
      causes: causes.list(),
      minimumDonationPoints: socialPolicy(clock.now()).causes.minimumDonationPoints,
    };
  }
  const sync = new TerminalSync({
    db,
    ledger,
    members,
    bus,
    config,
    clock,
    random,
    logger,
    fetch: options.hqFetch ?? globalThis.fetch,
    timers: options.syncTimers ?? systemTimers,
    appVersion: version,
    keyVault: options.keyVault,
  });
  // Relational benefits and the paid membership (issue 14 items 6 and 7): seats through HQ, points through the ledger.
  const benefits = new Benefits({
    db,
    ledger,
    clock,
    random,
    logger,
    tierOf: (memberId) => tierOf(db, memberId).tier,
    seats: hqSeatClient(() => sync.client),
    online: () => sync.client?.enrolment() != null && !ledger.connectivity().offline,
    standalone: () => sync.client?.enrolment() == null,
    onChanged: (memberId, pointsMoved) => {
      bus.emit('benefits.changed', { memberId, at: clock.now() });
      if (pointsMoved && session.shown()?.memberId === memberId) refreshShown('adjustment');
    },
  });
  /** The customer screen acts only for the member it shows. */
  const forMember = (role: string, memberId: string) => {
    if (!members.summary(memberId)) throw new AppFailure('not_found', 'no such member');
    if (role === 'customer' && session.shown()?.memberId !== memberId) {
      throw new AppFailure('forbidden', 'the customer screen acts only for the member it shows', [{ path: 'memberId', message: 'benefits.not_shown' }]);
    }
  };
  const pointsOf = (memberId: string) => {
    const balance = ledger.points(memberId).balance;
    return { balance, nextReward: loyalty.nextReward(balance), voucher: voucherOf(memberId), tier: tierOf(db, memberId), regularity: regularityOf(memberId) };
  };

  /**
   * The member on both screens, read again from the ledger after what moves
   * points without a sale or refund of this terminal: HQ's figures arriving
   * (another store's sale, expiry), or a till voiding the points it held.
   */
  function refreshShown(reason: 'void' | 'sync' | 'adjustment'): void {
    const shown = session.shown();
    if (!shown) return;
    const points = pointsOf(shown.memberId);
    // A void leaves the balance as it was but frees points: the cashier's figures are read again all the same.
    if (reason === 'sync' && points.balance === shown.balance) return;
    bus.emit('points.moved', {
      at: clock.now(),
      memberId: shown.memberId,
      firstName: members.summary(shown.memberId)?.firstName ?? '',
      reason,
      pointsEarned: 0,
      pointsRedeemed: 0,
      ...points,
      tillId: null,
      receipt: null,
      discountCents: 0,
      rewardLabel: null,
    });
    session.pointsMoved(shown.memberId, points);
  }
  bus.subscribe((name) => {
    if (name === 'sync.changed') refreshShown('sync');
  });

  // Self-service privacy (issue 17 item 2): HQ proves the customer and holds their data; this terminal shows it.
  const selfService = new SelfService({
    post: sync.client ? (path, build) => sync.client!.signedPost(path, build) : null,
    hqUrl: config.hq?.url ?? null,
    members,
    lookups,
    clock,
    shownMemberId: () => session.shown()?.memberId ?? null,
    shownCard: () => {
      const state = session.current();
      return state.phase === 'identified' || state.phase === 'enrolled' ? state.greeting.cardNumber : null;
    },
    balance: (memberId) => ledger.points(memberId).balance,
    tier: (memberId) => {
      const tier = tierOf(db, memberId);
      return { id: tier.tier, label: tier.label };
    },
    segment: (memberId) => valueHintOf(db, memberId)?.segment ?? null,
    emit: (event) => bus.emit('privacy.self', event),
    erased: () => {
      session.clear();
      // The tombstone HQ wrote comes with the next pull: now, not at the next timer.
      void sync.client?.pull().catch((error: unknown) => logger.warn('pull after an erasure failed; the next one brings it', { error: String(error) }));
    },
  });
  bus.subscribe((name) => {
    if (name === 'session.changed') selfService.shownChanged();
  });

  const deviceDeps = { manager: devices, db, terminalId: config.terminalId, clock, random, logger };
  let rig: SimulatedRig | null = null;
  let hardware: Devices | null = null;
  if (config.devices === 'simulated') {
    devices.add(new SimulatedScanner(SIMULATED_SCANNER_ID, 'Scanner simulé', clock));
  } else if (config.devices === 'rig') {
    rig = createSimulatedRig(deviceDeps);
    hardware = rig.devices;
  } else {
    hardware = createDevices(options.devicesConfig ?? loadTerminalDevicesConfig('resources', process.env), deviceDeps);
  }
  const rigIds = new Set(rig ? rig.devices.all.map((d) => d.id) : []);
  const deviceInfo = (status: DeviceStatus & Partial<DeviceReport>): DeviceInfo => ({
    id: status.id,
    kind: status.kind,
    name: status.name,
    state: status.state,
    // The rig's drivers are real; the hardware behind them is not.
    simulated: status.simulated || rigIds.has(status.id),
    condition: status.condition ?? null,
    pendingJobs: status.pendingJobs ?? null,
  });
  devices.onStatus((status) => bus.emit('device.changed', deviceInfo(status)));

  if (hardware) {
    const { printers, printQueue } = hardware;
    receipts = new SaleReceipts({
      printers: () => printers,
      queue: () => printQueue,
      member: (memberId) => members.summary(memberId),
      nextReward: (balance) => loyalty.nextReward(balance),
      expiring: (memberId) => ledger.expiring(memberId),
      gestures: (memberId, sale) => pointsGesturesBefore(db, memberId, sale),
      tier: (memberId) => tierOf(db, memberId),
      social: (memberId) => receiptSocial(referrals, causes, memberId, config.locale),
      regularity: (memberId) => regularityOf(memberId),
      benefits: (memberId) => benefits.receipt(memberId),
      store: { name: config.storeName, address: [] },
      locale: config.locale,
      clock,
      logger,
    });
    refundReceipts = new RefundReceipts({
      printers: () => printers,
      queue: () => printQueue,
      member: (memberId) => members.summary(memberId),
      store: { name: config.storeName, address: [] },
      locale: config.locale,
      clock,
      logger,
    });
  }
  const pairing = hardware && hardware.readers.length > 0 ? new NfcPairing(hardware.tags, clock, systemTimers, (result) => bus.emit('nfc.pairing', result)) : null;
  if (pairing && hardware) {
    for (const reader of hardware.readers) {
      reader.onTag((tag) => {
        try {
          pairing.tag(tag);
        } catch (error) {
          logger.error('NFC pairing failed', { error: String(error) });
        }
      });
    }
  }

  function identifyHere(code: string): IdentifyResult {
    // Offline, a card this terminal never pulled still earns: on a provisional member HQ links to its customer later.
    const found = identifyOrProvisional(db, members, code, {
      offline: ledger.connectivity().offline,
      settings: { terminalId: config.terminalId, locale: config.locale },
      clock,
      random,
    });
    if (found.kind === 'unknown_card') session.unknownCard(found.cardNumber);
    if (found.kind !== 'member' && found.kind !== 'provisional') return found;
    // Every identification is at the till (a scan or the cashier's keyboard): « la caisse » looked this member up.
    lookups.record(found.member.id, 'cashier', 'identify');
    session.identified(found.member, pointsOf(found.member.id));
    return { kind: 'member', via: found.via, member: found.member };
  }

  /**
   * HQ reachable: its current chain-wide balances come first (a pull of a second at most), so both screens greet
   * the customer with what they have in every store; a customer of another store is linked to this one by HQ and
   * the pull brings them and their balance.
   */
  function identify(code: string): IdentifyResult | Promise<IdentifyResult> {
    if (!sync.client) return identifyHere(code);
    return sync.refreshBalances().then(() => {
      const here = identifyHere(code);
      if (here.kind !== 'unknown_card') return here;
      return sync.lookupCard(here.cardNumber).then((found) => (found === 'pulled' ? identifyHere(code) : here));
    });
  }

  const scans = new ScanRouter({ session, bus, identify });
  // A scanner's driver drops what is not a card before the router sees it; the cashier still hears of it.
  devices.onDiagnostic((diagnostic) => {
    if (diagnostic.code === 'not_a_card') scans.notCard(diagnostic.at);
  });
  const itScans = new ItScanTest(systemTimers);
  devices.onScan((scan) => {
    if (pairing?.swallows(scan.deviceId)) return;
    if (itScans.swallows(scan)) return;
    scans.handle(scan);
  });

  const incidentMethods = incidentHandlers({ ledger, loyalty, members, session, bus, clock });
  const survey = new SurveyPolicy({
    db,
    clock,
    random,
    timers: systemTimers,
    bus,
    settings: config.survey ?? SURVEY_OFF,
    recordAnswer: (answer) => ledger.incidents.surveyAnswer(answer),
    // Through the handler, so the cashier hears of it (incident.changed) like any other incident.
    // (incident.record's handler is synchronous: the ledger writes in one SQLite transaction).
    openIncident: (input) => incidentMethods['incident.record']({ role: 'customer' }, input) as IncidentOutcomeView,
    contactAllowed: (memberId, at) => offers.contactAllowed(memberId, at),
  });
  bus.subscribe((name, payload) => {
    // Only a committed sale is followed by the question; a refund or an adjustment is not a visit to rate.
    if (name !== 'points.moved') return;
    const moved = payload as EventPayload<'points.moved'>;
    if (moved.reason === 'sale') survey.afterSale({ memberId: moved.memberId, tillId: moved.tillId, receipt: moved.receipt });
  });

  const dataDir = options.dataDir !== undefined ? options.dataDir : options.dbPath === ':memory:' ? null : dirname(options.dbPath);
  const deviceDiagnostics = () => handlers['device.diagnostics']({ role: 'cashier' }, {}) as MethodOutput<'device.diagnostics'>;
  const { service: updates, handlers: updateMethods } = createTerminalUpdates({
    db,
    dataDir,
    bus,
    session,
    sync,
    hqUrl: config.hq?.url ?? null,
    appVersion: version,
    build: currentAppVersion().build,
    clock,
    timers: options.syncTimers ?? systemTimers,
    logger,
    updater: options.updater ?? null,
    releaseKeys: options.releaseKeys,
    tickMs: options.updateTickMs ?? config.updates?.tickMs,
    config: config.updates?.customerIdleMs === undefined ? undefined : { customerIdleMs: config.updates.customerIdleMs },
  });
  const itMethods = itHandlers({
    gate: new ItGate({ store: options.itAccess ?? (dataDir ? fileItAccessStore(dataDir) : memoryItAccessStore()), clock }),
    config,
    shell: options.shell,
    clock,
    dataDir,
    ring: logRing,
    app: { version, build: currentAppVersion().build },
    sync: () => sync.view(),
    devices: () => deviceDiagnostics().devices,
    deviceDiagnostics: () => deviceDiagnostics().diagnostics,
    updates: () => updateMethods['updates.status']({ role: 'cashier' }, {}),
    printers: () => hardware?.printers ?? [],
    scans: itScans,
    restart: options.restart ?? null,
  });

  const handlers: Handlers = {
    'member.valueHint': (_ctx, { memberId }) => valueHintOf(db, memberId),
    'product.lookup': (_ctx, { code }) => lookupProduct(db, code),
    'product.catalogue': () => ({ products: productCount(db) }),
    'terminal.info': () => ({
      terminalId: config.terminalId,
      storeName: config.storeName,
      locale: config.locale,
      shell: options.shell,
      devices: config.devices,
      enrolmentIdleMs: config.enrolmentIdleMs,
      consentWordingVersion: config.consentWordingVersion,
      // HQ's public notice once there is an HQ (issue 17 item 7): the customer screen's QR opens it.
      privacyNoticeUrl: privacyNoticeUrl(config),
      // Where the cashier learns that loyalty is suspended (a damaged journal refuses every write).
      ledger: { state: ledger.integrity().state, problems: ledger.integrity().problemCount },
      wedge,
      version,
      build: currentAppVersion().build,
    }),
    'member.identify': (_ctx, { code }) => {
      if (session.isEnrolling()) throw new AppFailure('busy', 'a customer is enrolling on the customer screen');
      if (isProductBarcode(code)) return { kind: 'invalid' as const, problem: 'product' as const };
      return identify(code);
    },
    'member.search': (_ctx, { query, limit }) => search.searchPage(query, limit),
    'member.get': (ctx, { memberId }) => {
      const member = members.detail(memberId);
      if (!member) throw new AppFailure('not_found', 'no such member');
      lookups.record(member.id, ctx.role, 'record');
      return member;
    },
    'member.select': async (ctx, { memberId }) => {
      if (session.isEnrolling()) throw new AppFailure('busy', 'a customer is enrolling on the customer screen');
      const member = members.summary(memberId);
      if (!member) throw new AppFailure('not_found', 'no such member');
      lookups.record(member.id, ctx.role, 'select');
      await sync.refreshBalances();
      session.identified(member, pointsOf(member.id));
      return member;
    },
    'member.setConsent': (ctx, change) =>
      changeConsent(db, members, change, { role: ctx.role, shownMemberId: session.shown()?.memberId ?? null, wordingVersion: config.consentWordingVersion, now: clock.now() }),
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
      // A friend's code is checked first: refused, nothing is written, not even the member.
      const friend = form.referralCode?.trim()
        ? referrals.check(form.referralCode, {
            email: form.email.trim() === '' ? null : cleanEmail(form.email),
            phone: form.phone.trim() === '' ? null : form.phone,
            cardNumber: state.presetCardNumber,
          })
        : null;
      const enrolled = members.transaction(() => {
        const member = enrolMember(members, form, state.presetCardNumber, config, clock, random);
        if (friend) referrals.link(member.member.id, friend);
        return member;
      });
      // With an HQ, the QR opens the card's page on the customer's phone; without, it is the card itself.
      const cardPageUrl = sync.issueCardPageUrl(enrolled.member.id);
      session.enrolled(enrolled.member, cardPageUrl ?? enrolled.walletQr, pointsOf(enrolled.member.id));
      return { ...enrolled, cardPageUrl, referral: referrals.card(enrolled.member.id) };
    },
    'ledger.program': () => loyalty.program(),
    'ledger.account': (_ctx, { memberId }) => ({ ...loyalty.account(memberId), regularity: regularityOf(memberId), vouchers: vouchers.openFor(memberId, clock.now()) }),
    'ledger.manualPreview': (_ctx, input) => {
      const sale = withCatalogueLines(db, input);
      // Offers are evaluated once the preview holds: a refused basket shows none.
      const preview = loyalty.manualPreview(sale);
      return { ...preview, offers: offers.forBasket(sale.memberId, manualBasket(sale.lines)) };
    },
    'ledger.manualCommit': async (_ctx, input) => {
      const sale = loyalty.manualSaleInput(withCatalogueLines(db, input));
      const reservation = await sync.reserve(sale);
      let committed;
      try {
        committed = loyalty.commit(sale, reservation?.mode === 'online' ? { holdId: reservation.grant.holdId } : undefined);
      } catch (error) {
        await sync.abandon(reservation);
        throw error;
      }
      await sync.settle(reservation, committed);
      return committed;
    },
    'ledger.refund': (_ctx, input) => loyalty.refund(input),
    'ledger.zReport': (_ctx, { day }) => {
      const report = ledger.zReport(day ?? undefined);
      return { day: report.day, report: report as unknown as Record<string, unknown>, lines: ledger.zReportLines(report, config.locale) };
    },
    'sim.devices': () => ({ devices: devices.list().map(deviceInfo) }),
    'sim.scan': async (_ctx, { deviceId, data }) => {
      const device = devices.get(deviceId);
      if (device instanceof SimulatedScanner) return { accepted: device.inject(data) };
      if (rig && device && device.id === rig.devices.all.find((d) => d.kind === 'scanner')?.id) {
        // Written as the scanner's UART burst; the driver at the other end decides what it read.
        if (device.status().state !== 'enabled') return { accepted: false };
        await rig.scanner.scan(data);
        return { accepted: true };
      }
      throw new AppFailure('unavailable', `no simulated scanner ${deviceId}`);
    },
    'device.diagnostics': () => ({
      devices: devices.list().map((status) => ({ ...deviceInfo(status), endpoint: (status as Partial<DeviceReport>).endpoint ?? null })),
      diagnostics: devices
        .diagnostics()
        .reverse()
        .map((d) => ({ deviceId: d.deviceId, at: d.at, code: d.code, detail: d.detail ?? null })),
    }),
    'device.wedgeDetect': (_ctx, { keys }) => {
      const layout = detectWedgeLayout(keys);
      // Until the next start: the configuration file is the installer's to write (the IT view shows the line).
      if (layout) wedge = { ...wedge, layout };
      return { layout, wedge };
    },
    'nfc.pair': (_ctx, { memberId }) => {
      const reader = hardware?.readers[0];
      if (!pairing || !reader) throw new AppFailure('unavailable', 'no NFC reader on this terminal');
      const member = members.summary(memberId);
      if (!member) throw new AppFailure('not_found', 'no such member');
      return { readerId: reader.id, until: pairing.arm(member.id, member.cardNumber).until };
    },
    'sim.tapNfc': async (_ctx, { uid, kind }) => {
      if (!rig) throw new AppFailure('unavailable', 'no simulated NFC reader on this terminal');
      return { uid: await tapNfc(rig, uid, kind) };
    },
    'sim.printerFault': (_ctx, { fault }) => {
      if (!rig) throw new AppFailure('unavailable', 'no simulated printer on this terminal');
      printerFault(rig, fault);
      return { ok: true as const };
    },
    'sim.printed': () => {
      if (!rig) throw new AppFailure('unavailable', 'no simulated printer on this terminal');
      const { engine } = rig.printer;
      const last = receipts?.lastDocument() ?? null;
      return {
        pages: engine.printed.map((p) => ({ text: p.text, codes: p.codes })),
        torn: engine.torn.length,
        lastReceiptSvg: last ? renderSvg(last) : null,
      };
    },
    ...incidentMethods,
    'survey.answer': (_ctx, input) => survey.answer(input),
    'benefits.list': async (ctx, { memberId }) => {
      forMember(ctx.role, memberId);
      await benefits.refresh();
      return benefits.view(memberId);
    },
    'benefits.book': (ctx, { memberId, benefitId }) => {
      forMember(ctx.role, memberId);
      return benefits.bookFor(memberId, benefitId, ctx.role);
    },
    'benefits.cancel': (ctx, { memberId, bookingId }) => {
      forMember(ctx.role, memberId);
      return benefits.cancel(memberId, bookingId, ctx.role);
    },
    'offers.answer': async (_ctx, { ruleId, answer }) => {
      const shown = session.shown();
      if (!shown) throw new AppFailure('conflict', 'no member on the customer screen');
      const offer = screenOffers.current(shown.memberId).find((o) => o.ruleId === ruleId)?.offer;
      const recorded = offers.answer(shown.memberId, ruleId, answer);
      if (!recorded || answer !== 'accepted' || offer?.kind !== 'booking') return { recorded };
      // « Ça m'intéresse » on a workshop books the seat now, as the customer would at the benefits panel.
      try {
        const { booking } = await benefits.bookFor(shown.memberId, offer.benefitId, 'customer');
        return { recorded, booked: { benefitId: offer.benefitId, bookingId: booking.bookingId, points: booking.points }, bookingRefused: null };
      } catch (error) {
        if (!(error instanceof AppFailure)) throw error;
        const reason = error.issues?.[0]?.message ?? 'benefits.benefit_hq_refused';
        // A benefit the programme in force does not hold: the till takes it from there, as for any other offer.
        return { recorded, booked: null, bookingRefused: reason === 'benefits.benefit_unknown' ? null : reason };
      }
    },
    'social.view': () => socialView(),
    'social.donate': (_ctx, input) => {
      const shown = session.shown();
      if (!shown) throw new AppFailure('conflict', 'no member on the customer screen');
      const done = causes.donate(shown.memberId, input);
      refreshShown('adjustment');
      return done;
    },
    'social.attachReferral': (_ctx, { code }) => {
      const shown = session.shown();
      if (!shown) throw new AppFailure('conflict', 'no member on the customer screen');
      const { referrerId } = referrals.attach(shown.memberId, code);
      return { referrerFirstName: members.summary(referrerId)?.firstName ?? '' };
    },
    'share.link': (_ctx, { kind, id }) => {
      const shown = session.shown();
      if (!shown) throw new AppFailure('conflict', 'no member on the customer screen');
      let label: { fr: string; en: string } | undefined;
      if (kind === 'offer') {
        const offer = screenOffers.current(shown.memberId).find((o) => o.ruleId === id);
        if (!offer) throw new AppFailure('not_found', 'this offer is not on the customer screen', [{ path: 'id', message: 'share.offer_not_shown' }]);
        label = { fr: offer.label.fr, en: offer.label.en };
      } else if (!lookupProduct(db, id)) {
        throw new AppFailure('not_found', 'no such product in the catalogue', [{ path: 'id', message: 'share.product_unknown' }]);
      }
      const link = sync.issueShareUrl(kind, id, label);
      if (!link) throw new AppFailure('unavailable', 'this terminal is not enrolled with HQ: there is no page to share');
      return link;
    },
    'offers.fewerContacts': (_ctx, { on }) => {
      const shown = session.shown();
      if (!shown) throw new AppFailure('conflict', 'no member on the customer screen');
      offers.setFewerContacts(shown.memberId, on);
      if (on) screenOffers.clear(shown.memberId, clock.now());
      return { fewerContacts: on };
    },
    ...sync.handlers,
    ...selfServiceHandlers({ self: selfService, printers: () => hardware?.printers ?? [], locale: config.locale, noticeUrl: privacyNoticeUrl(config), now: () => clock.now() }),
    ...itMethods,
    ...updateMethods,
  };

  const dispatchAll = createDispatch(handlers, { logger, validateOutput: options.validateOutput ?? false });
  // A call from the customer screen is someone touching it: the update waits until it has been idle a while.
  const dispatch: Dispatch = (role, method, input) => {
    if (role === 'customer') updates.customerActivity();
    return dispatchAll(role, method, input);
  };

  let expiryTimer: ReturnType<typeof setInterval> | null = null;
  let stopRetention: (() => void) | null = null;
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
    hardware,
    rig,
    members,
    lookups,
    session,
    ledger,
    loyalty,
    offers,
    benefits,
    social: { referrals, causes },
    sync,
    survey,
    updates,
    handlers,
    dispatch,
    async start() {
      await ledger.start();
      // The name index (members' names are sealed on disk) built now, not at the first keystroke of a search.
      members.names.warm();
      expire();
      expiryTimer = setInterval(expire, EXPIRY_EVERY_MS);
      expiryTimer.unref?.();
      // The name index too: a member purged for not being seen here leaves no name in memory (privacy/retention.ts).
      stopRetention = startRetention({ db, policy: retentionPolicy(config), clock, logger, names: members.names });
      // A missing device is retried in the background, never fatal; only socat failing to start the rig throws here.
      if (rig) await rig.start();
      else if (hardware) await hardware.start();
      else await devices.enableAll();
      sync.start();
      updates.start();
    },
    async close() {
      updates.stop();
      sync.stop();
      survey.stop();
      itScans.cancel();
      if (expiryTimer) clearInterval(expiryTimer);
      stopRetention?.();
      pairing?.disarm();
      if (rig) await rig.stop();
      else if (hardware) await hardware.stop();
      await devices.closeAll();
      lookups.flush();
      // Offers shown in the last preview, still in memory (offers/contact-ledger.ts).
      offers.flush();
      db.close();
    },
  };
}

/** Time a simulated card stays on the antenna: a few polls, then lifted so the next tap counts as new. */
const TAP_MS = 700;
const tapTimers = new WeakMap<SimulatedRig, ReturnType<typeof setTimeout>>();

async function tapNfc(rig: SimulatedRig, uidHex: string, kind: 'card' | 'phone'): Promise<string> {
  const uid = Uint8Array.from(uidHex.toUpperCase().match(/../g)!, (h) => parseInt(h, 16));
  const previous = tapTimers.get(rig);
  if (previous) {
    // Still on the antenna from the last tap: lift it first, or the reader sees no new presentation.
    clearTimeout(previous);
    rig.nfc.removeTag();
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  // SAK 20: ISO 14443-4 (a phone); 08 a MIFARE Classic, 00 an NTAG with its 7-byte UID.
  const sak = kind === 'phone' ? 0x20 : uid.length === 4 ? 0x08 : 0x00;
  rig.nfc.presentTag({ uid, sak, atqa: [0x00, uid.length === 4 ? 0x04 : 0x44] });
  const timer = setTimeout(() => {
    tapTimers.delete(rig);
    rig.nfc.removeTag();
  }, TAP_MS);
  timer.unref?.();
  tapTimers.set(rig, timer);
  return uidHex.toUpperCase();
}

function printerFault(rig: SimulatedRig, fault: 'paper_out' | 'paper_in' | 'cover_open' | 'cover_close' | 'paper_low' | 'paper_ok'): void {
  const { engine } = rig.printer;
  switch (fault) {
    case 'paper_out':
      return engine.runOutOfPaper();
    case 'paper_in':
      return engine.loadPaper();
    case 'cover_open':
      return engine.openCover();
    case 'cover_close':
      return engine.closeCover();
    case 'paper_low':
      return engine.setPaperLow(true);
    case 'paper_ok':
      return engine.setPaperLow(false);
  }
}
