import { z } from 'zod';
import type { Role } from './roles';
import {
  CardNumber,
  DeviceInfo,
  EnrolmentForm,
  IdentifyResult,
  MemberDetail,
  MemberId,
  MemberSummary,
  ScanCode,
  SearchHit,
  SearchQuery,
  SessionState,
  TerminalInfo,
} from './schemas';

export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  /** A query reads; a command may change state or the screens. */
  kind: 'query' | 'command';
  roles: readonly Role[];
  input: I;
  output: O;
}

function method<I extends z.ZodType, O extends z.ZodType>(spec: MethodSpec<I, O>): MethodSpec<I, O> {
  return spec;
}

const Empty = z.strictObject({});

/**
 * Every call a window can make into the main process, written once. The Electron
 * IPC adapter, the web bridge, the preloads and the renderer clients are all
 * derived from this table.
 */
export const methods = {
  'terminal.info': method({
    kind: 'query',
    roles: ['cashier', 'customer', 'simulator'],
    input: Empty,
    output: TerminalInfo,
  }),
  'member.identify': method({
    kind: 'command',
    roles: ['cashier'],
    input: z.strictObject({ code: ScanCode, source: z.enum(['keyboard', 'scan']) }),
    output: IdentifyResult,
  }),
  'member.search': method({
    kind: 'query',
    roles: ['cashier'],
    input: z.strictObject({ query: SearchQuery, limit: z.number().int().min(1).max(50).default(10) }),
    output: z.object({ hits: z.array(SearchHit) }),
  }),
  'member.get': method({
    kind: 'query',
    roles: ['cashier'],
    input: z.strictObject({ memberId: MemberId }),
    output: MemberDetail,
  }),
  'member.select': method({
    kind: 'command',
    roles: ['cashier'],
    input: z.strictObject({ memberId: MemberId }),
    output: MemberSummary,
  }),
  'session.get': method({
    kind: 'query',
    roles: ['cashier', 'customer'],
    input: Empty,
    output: SessionState,
  }),
  'session.clear': method({
    kind: 'command',
    roles: ['cashier'],
    input: Empty,
    output: SessionState,
  }),
  'enrolment.start': method({
    kind: 'command',
    roles: ['cashier', 'customer'],
    input: z.strictObject({ presetCardNumber: CardNumber.nullable().default(null) }),
    output: SessionState,
  }),
  'enrolment.cancel': method({
    kind: 'command',
    roles: ['cashier', 'customer'],
    input: z.strictObject({ reason: z.enum(['abandoned', 'timeout', 'cashier']) }),
    output: SessionState,
  }),
  'enrolment.submit': method({
    kind: 'command',
    roles: ['customer'],
    input: EnrolmentForm,
    output: z.object({ member: MemberSummary, walletQr: z.string() }),
  }),
  'sim.devices': method({
    kind: 'query',
    roles: ['simulator', 'cashier'],
    input: Empty,
    output: z.object({ devices: z.array(DeviceInfo) }),
  }),
  'sim.scan': method({
    kind: 'command',
    roles: ['simulator'],
    input: z.strictObject({ deviceId: z.string().max(64), data: ScanCode }),
    output: z.object({ accepted: z.boolean() }),
  }),
} as const satisfies Record<string, MethodSpec>;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
/** What a caller sends (before defaults and transforms). */
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
/** What a handler receives, after parsing. */
export type ParsedInput<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;

export type MethodsFor<R extends Role> = {
  [M in MethodName]: R extends Methods[M]['roles'][number] ? M : never;
}[MethodName];

export const METHOD_NAMES = Object.keys(methods) as MethodName[];

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(methods, value);
}

export function methodsForRole(role: Role): MethodName[] {
  return METHOD_NAMES.filter((name) => (methods[name].roles as readonly Role[]).includes(role));
}

export function roleMayCall(role: Role, name: MethodName): boolean {
  return (methods[name].roles as readonly Role[]).includes(role);
}
