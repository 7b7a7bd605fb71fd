import type { Db } from '../db/database';
import { isRandomUid } from './protocols/pn532';

export class NfcPairingError extends Error {
  constructor(
    readonly reason: 'random_uid' | 'bad_uid' | 'unknown_card' | 'already_paired',
    message: string,
  ) {
    super(message);
    this.name = 'NfcPairingError';
  }
}

const UID_HEX = /^(?:[0-9A-F]{8}|[0-9A-F]{14}|[0-9A-F]{20})$/;

function uidBytes(uid: string): number[] {
  return uid.match(/../g)!.map((h) => parseInt(h, 16));
}

/**
 * Which physical NFC card stands for which loyalty card. A UID is only a key
 * for cards that keep it: a phone's random UID (4 bytes starting 08) is never
 * stored, and never looked up.
 */
export class NfcTagStore {
  private readonly lookupStmt;
  private readonly insertStmt;

  constructor(
    private readonly db: Db,
    private readonly terminalId: string,
  ) {
    this.lookupStmt = db.prepare<[string], { card_number: string }>('SELECT card_number FROM member_nfc_tag WHERE uid = ?');
    this.insertStmt = db.prepare('INSERT INTO member_nfc_tag (uid, card_number, paired_at, paired_by_terminal) VALUES (?, ?, ?, ?)');
  }

  /** The card number a tag is paired with, or null (unknown, malformed, or random). */
  cardFor(uid: string): string | null {
    if (!UID_HEX.test(uid) || isRandomUid(uidBytes(uid))) return null;
    return this.lookupStmt.get(uid)?.card_number ?? null;
  }

  /** Pairs a physical card's UID with an existing loyalty card number. */
  pair(uid: string, cardNumber: string, at: number): void {
    if (!UID_HEX.test(uid)) throw new NfcPairingError('bad_uid', 'a UID is 4, 7 or 10 bytes of upper-case hex');
    if (isRandomUid(uidBytes(uid))) throw new NfcPairingError('random_uid', 'a phone or random-UID tag cannot stand for a card');
    const card = this.db.prepare('SELECT 1 FROM member_card WHERE card_number = ?').get(cardNumber);
    if (!card) throw new NfcPairingError('unknown_card', 'no such loyalty card');
    if (this.lookupStmt.get(uid)) throw new NfcPairingError('already_paired', 'this tag is already paired');
    this.insertStmt.run(uid, cardNumber, at, this.terminalId);
  }

  unpair(uid: string): boolean {
    return this.db.prepare('DELETE FROM member_nfc_tag WHERE uid = ?').run(uid).changes === 1;
  }
}
