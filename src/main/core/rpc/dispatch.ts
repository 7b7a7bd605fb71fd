import type { z } from 'zod';
import {
  AppFailure,
  isMethodName,
  isRole,
  methods,
  roleMayCall,
  type AppError,
  type FieldIssue,
  type MethodName,
  type MethodOutput,
  type ParsedInput,
  type Result,
  type Role,
} from '../../../shared/contract';
import { storageFailure } from '../db/storage-errors';
import type { Logger } from '../ports';

export interface CallContext {
  role: Role;
}

export type Handlers = {
  [M in MethodName]: (ctx: CallContext, input: ParsedInput<M>) => MethodOutput<M> | Promise<MethodOutput<M>>;
};

export type Dispatch = (role: Role, method: unknown, input: unknown) => Promise<Result<unknown>>;

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/**
 * The one way into the handlers, shared by every transport: check the method
 * exists and the role may call it, parse the input, run, and turn any failure
 * into a serialisable error. Nothing reaches a handler unparsed.
 */
export function createDispatch(handlers: Handlers, options: { logger: Logger; validateOutput: boolean }): Dispatch {
  return async (role, method, input) => {
    if (!isRole(role)) return fail({ code: 'forbidden', message: 'unknown role' });
    if (!isMethodName(method)) return fail({ code: 'unknown_method', message: `no such method: ${String(method).slice(0, 64)}` });
    if (!roleMayCall(role, method)) return fail({ code: 'forbidden', message: `the ${role} screen may not call ${method}` });
    const spec = methods[method];
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) {
      return fail({ code: 'bad_input', message: `invalid input for ${method}`, issues: issuesOf(parsed.error) });
    }
    try {
      const handler = handlers[method] as (ctx: CallContext, input: unknown) => unknown;
      const value = await handler({ role }, parsed.data);
      if (options.validateOutput) {
        const checked = spec.output.safeParse(value);
        if (!checked.success) {
          options.logger.error('handler returned output outside its schema', { method, issues: issuesOf(checked.error) });
          return fail({ code: 'internal', message: 'internal error' });
        }
      }
      return { ok: true, value };
    } catch (error) {
      if (error instanceof AppFailure) return fail(error.toJSON());
      // A disk failure outside the ledger (which maps its own): member enrolment, a consent.
      const storage = storageFailure(error);
      if (storage) {
        options.logger.error('handler failed on the disk', { method, message: storage.message });
        return fail(storage.toJSON());
      }
      options.logger.error('handler failed', { method, error: error instanceof Error ? error.stack : String(error) });
      return fail({ code: 'internal', message: 'internal error' });
    }
  };
}

function fail(error: AppError): Result<never> {
  return { ok: false, error };
}
