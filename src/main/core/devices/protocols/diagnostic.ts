/**
 * What a decoder says about bytes it could not use. Decoders never throw on
 * input from a device: a cable picks up noise, a scanner floods, a printer
 * answers late, and none of that may take the main process down. Instead they
 * skip what they cannot read and say so here, for the diagnostics view.
 */
export interface ProtocolDiagnostic {
  type: 'diagnostic';
  /** Stable, machine-readable reason, e.g. `garbage`, `bad_checksum`, `overflow`. */
  code: string;
  /** Human-readable detail for IT staff (English, not shown to cashiers). */
  detail: string;
  /** A sample of the offending bytes (at most DIAGNOSTIC_SAMPLE bytes), for the log. */
  sample: Uint8Array;
}

/** Diagnostics keep a bounded sample, so a flood never grows the log without limit. */
export const DIAGNOSTIC_SAMPLE = 32;

export function diagnostic(code: string, detail: string, bytes: Uint8Array = new Uint8Array(0)): ProtocolDiagnostic {
  return { type: 'diagnostic', code, detail, sample: bytes.slice(0, DIAGNOSTIC_SAMPLE) };
}

export function toHex(bytes: ArrayLike<number>, separator = ' '): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(separator);
}

export function concatBytes(parts: readonly ArrayLike<number>[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
