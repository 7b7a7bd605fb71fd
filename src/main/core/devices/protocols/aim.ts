/**
 * AIM symbology identifiers (`]` + code character + modifier), which scanners
 * prefix to the data when told to (hardware.md §2.2). They tell an EAN-13 from
 * a QR code without guessing from the content.
 */
export const AIM_SYMBOLOGIES: Readonly<Record<string, string>> = {
  E0: 'EAN-13',
  E1: 'EAN 2-digit add-on',
  E2: 'EAN 5-digit add-on',
  E3: 'EAN-13 with add-on',
  E4: 'EAN-8',
  C0: 'Code 128',
  C1: 'GS1-128',
  C2: 'Code 128 (FNC1 second)',
  Q0: 'QR model 1',
  Q1: 'QR',
  Q3: 'GS1 QR',
  d1: 'Data Matrix',
  d2: 'GS1 DataMatrix',
  A0: 'Code 39',
  I0: 'Interleaved 2 of 5',
  e0: 'GS1 DataBar',
  L0: 'PDF417',
  z0: 'Aztec',
};

export interface Symbology {
  /** The identifier as sent, e.g. `]E0`. */
  aim: string;
  /** A readable name, or `unknown` for an identifier outside the table. */
  name: string;
}

const AIM_SHAPE = /^\][A-Za-z][0-9A-Za-z]$/;

/** Reads a 3-character AIM identifier; null when the text is not one. */
export function parseAimIdentifier(id: string): Symbology | null {
  if (!AIM_SHAPE.test(id)) return null;
  return { aim: id, name: AIM_SYMBOLOGIES[id.slice(1)] ?? 'unknown' };
}

export function isEan13Symbology(symbology: Symbology | undefined): boolean {
  return symbology?.aim === ']E0';
}

export function isQrSymbology(symbology: Symbology | undefined): boolean {
  return symbology !== undefined && /^\]Q\d$/.test(symbology.aim);
}
