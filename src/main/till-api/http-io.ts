import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppFailure, type AppError, type ErrorCode, type FieldIssue } from '../../shared/contract';

export const MAX_BODY_BYTES = 256 * 1024;

export const STATUS_OF: Record<ErrorCode, number> = {
  bad_input: 400,
  forbidden: 403,
  unknown_method: 404,
  not_found: 404,
  conflict: 409,
  busy: 409,
  unavailable: 503,
  ledger_damaged: 503,
  // 507 Insufficient Storage (RFC 4918): the terminal's disk, not the request, is the problem.
  storage_full: 507,
  storage_busy: 503,
  storage_failed: 503,
  rate_limited: 429,
  // 422: the request is well-formed, but the programme will not take it without a manager.
  over_limit: 422,
  it_locked: 403,
  internal: 500,
};

/** A refusal whose HTTP status is not the error code's usual one (401, 405, 413, 415). */
export class HttpFailure extends AppFailure {
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
    issues?: FieldIssue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message, issues);
  }
}

export function errorBody(error: AppError): string {
  return JSON.stringify({ error: error.issues ? { code: error.code, message: error.message, issues: error.issues } : { code: error.code, message: error.message } });
}

export function sendJson(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/** `application/json`, with at most a UTF-8 charset: anything else is refused before the body is read. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type, ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => p === '' || p === 'charset=utf-8');
}

/** The body, at most `limit` bytes: a larger one is refused (413) as soon as it is known to be. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const tooLarge = () => new HttpFailure(413, 'bad_input', `the body is larger than ${limit} bytes`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (done) return;
      done = true;
      reject(error);
    });
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseJson(bytes: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new AppFailure('bad_input', 'the body is not UTF-8');
  }
  if (text.trim() === '') throw new AppFailure('bad_input', 'the body is empty: a JSON object is expected');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppFailure('bad_input', 'the body is not JSON');
  }
}

/**
 * After an early refusal, the rest of the request is read and dropped (so the
 * client gets to read the answer rather than a reset), up to a bound past which
 * the connection is simply cut.
 */
export function discardRest(req: IncomingMessage, bound = 4 * MAX_BODY_BYTES): void {
  if (req.readableEnded) return;
  let seen = 0;
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > bound) req.destroy();
  });
  req.resume();
}
