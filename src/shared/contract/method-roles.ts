import type { Role } from './roles';

/**
 * Who may call what, kept apart from the schemas so a sandboxed preload can
 * build its role's API without bundling zod. This is the only place roles are
 * written: `methods` takes each entry's `roles` from here, and its keys must
 * match these exactly.
 */
export const METHOD_ROLES = {
  'terminal.info': ['cashier', 'customer', 'simulator'],
  'member.identify': ['cashier'],
  'member.search': ['cashier'],
  'member.get': ['cashier'],
  'member.select': ['cashier'],
  // A consent given or withdrawn (issue 17 item 1): at the till with the customer present, or by the customer on their screen.
  'member.setConsent': ['cashier', 'customer'],
  'session.get': ['cashier', 'customer'],
  'session.clear': ['cashier', 'customer'],
  'enrolment.start': ['cashier', 'customer'],
  'enrolment.cancel': ['cashier', 'customer'],
  'enrolment.submit': ['customer'],
  'ledger.program': ['cashier'],
  'ledger.account': ['cashier'],
  'ledger.manualPreview': ['cashier'],
  'ledger.manualCommit': ['cashier'],
  'ledger.refund': ['cashier'],
  'ledger.zReport': ['cashier'],
  'incident.record': ['cashier'],
  'incident.update': ['cashier'],
  'incident.resolve': ['cashier'],
  'member.relationship': ['cashier'],
  'member.valueHint': ['cashier'],
  // The product catalogue HQ sent (issue 14 item 2): a scanned or typed barcode or SKU in the manual sale.
  'product.lookup': ['cashier'],
  'product.catalogue': ['cashier'],
  // The customer's own answer: the cashier may not answer for them.
  'survey.answer': ['customer'],
  // Offers from the basket (issue 16 items 3 and 5): the customer's own answers and preference.
  'offers.answer': ['customer'],
  'offers.fewerContacts': ['customer'],
  // Self-service privacy (issue 17 item 2): the till or the customer starts it for the member shown; only the
  // customer, who received the code, answers it and then sees, corrects, exports or erases their data.
  'privacy.selfStart': ['cashier', 'customer'],
  'privacy.selfVerify': ['customer'],
  'privacy.selfView': ['customer'],
  'privacy.selfRectify': ['customer'],
  'privacy.selfExport': ['customer'],
  'privacy.selfErase': ['customer'],
  'privacy.selfEnd': ['cashier', 'customer'],
  // The privacy notice printed on request (issue 17 item 7).
  'privacy.printNotice': ['cashier'],
  'share.link': ['customer'],
  // Relational benefits and the paid membership (issue 14 items 6 and 7): at the till, or the customer for the member shown.
  'benefits.list': ['cashier', 'customer'],
  'benefits.book': ['cashier', 'customer'],
  'benefits.cancel': ['cashier'],
  // Referrals and causes (issue 16 items 1 and 4): the member on the screens; a gift from either screen, a friend's code typed at the till.
  'social.view': ['cashier', 'customer'],
  'social.donate': ['cashier', 'customer'],
  'social.attachReferral': ['cashier'],
  'sim.devices': ['simulator', 'cashier'],
  'sim.scan': ['simulator'],
  'device.diagnostics': ['cashier'],
  'device.wedgeDetect': ['cashier'],
  'nfc.pair': ['cashier'],
  'sim.tapNfc': ['simulator'],
  'sim.printerFault': ['simulator'],
  'sim.printed': ['simulator'],
  'sync.status': ['cashier'],
  'sync.now': ['cashier'],
  'sync.enrol': ['cashier'],
  // The terminal's update state and history (issue 13): the Diagnostic dialog and the IT view.
  'updates.status': ['cashier'],
  // The IT view lives in the cashier window; each call also needs a live IT session (core/it/it-gate.ts).
  'it.unlock': ['cashier'],
  'it.lock': ['cashier'],
  'it.overview': ['cashier'],
  'it.testScan': ['cashier'],
  'it.testPrint': ['cashier'],
  'it.diagnosticsBundle': ['cashier'],
  'it.restart': ['cashier'],
} as const satisfies Record<string, readonly Role[]>;

export type MethodName = keyof typeof METHOD_ROLES;

export const METHOD_NAMES = Object.keys(METHOD_ROLES) as MethodName[];

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(METHOD_ROLES, value);
}

export function methodsForRole(role: Role): MethodName[] {
  return METHOD_NAMES.filter((name) => roleMayCall(role, name));
}

export function roleMayCall(role: Role, name: MethodName): boolean {
  return (METHOD_ROLES[name] as readonly Role[]).includes(role);
}
