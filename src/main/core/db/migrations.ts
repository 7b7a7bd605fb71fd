/**
 * Versioned schema. A migration is never edited once released: later changes
 * are new entries. Versions are applied in order, all pending ones in a single
 * transaction, and the resulting version is stored in `PRAGMA user_version`.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'members, cards, consents, search tokens',
    sql: `
      CREATE TABLE member (
        id TEXT PRIMARY KEY,
        first_name TEXT NOT NULL,
        last_name TEXT NOT NULL,
        email TEXT,
        phone TEXT,
        locale TEXT NOT NULL CHECK (locale IN ('fr', 'en')),
        primary_card TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by_terminal TEXT NOT NULL
      ) STRICT;

      CREATE TABLE member_card (
        card_number TEXT PRIMARY KEY,
        member_id TEXT NOT NULL REFERENCES member(id),
        issued_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX member_card_by_member ON member_card(member_id);

      -- Append-only history: the current consent is the latest row per purpose.
      CREATE TABLE member_consent (
        member_id TEXT NOT NULL REFERENCES member(id),
        purpose TEXT NOT NULL CHECK (purpose IN ('marketing', 'personalisedOffers', 'profiling')),
        granted INTEGER NOT NULL CHECK (granted IN (0, 1)),
        wording_version TEXT NOT NULL,
        recorded_at INTEGER NOT NULL,
        source TEXT NOT NULL
      ) STRICT;
      CREATE INDEX member_consent_by_member ON member_consent(member_id, purpose, recorded_at);

      -- Folded words for search as you type: one row per searchable word, so a
      -- prefix is an index range and results come back already in order.
      CREATE TABLE member_search_token (
        kind INTEGER NOT NULL,
        token TEXT NOT NULL,
        -- folded "last first": results for one word come back in name order
        sort_key TEXT NOT NULL,
        member_id TEXT NOT NULL REFERENCES member(id),
        PRIMARY KEY (kind, token, sort_key, member_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX member_search_token_by_member ON member_search_token(member_id);

      CREATE TABLE card_serial (
        terminal_code INTEGER PRIMARY KEY,
        next_serial INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE terminal_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'points ledger: journal, postings, balances, lots, sales, refunds, adjustments, sync acks',
    sql: `
      -- One stream per (terminal, epoch); its genesis hash anchors the chain.
      CREATE TABLE ledger_stream (
        terminal_id TEXT NOT NULL,
        epoch INTEGER NOT NULL CHECK (epoch >= 1),
        genesis_hash TEXT NOT NULL CHECK (length(genesis_hash) = 64),
        opened_at INTEGER NOT NULL,
        PRIMARY KEY (terminal_id, epoch)
      ) STRICT, WITHOUT ROWID;

      -- The journal, and the outbox of the sync protocol. Append-only: every
      -- column is covered by entry_hash (docs/ledger.md, "Entry format").
      CREATE TABLE ledger_entry (
        terminal_id TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        seq INTEGER NOT NULL CHECK (seq >= 1),
        entry_id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        rules_version TEXT NOT NULL,
        member_id TEXT,
        till_id TEXT,
        receipt TEXT,
        wall_time INTEGER NOT NULL,
        mono_time INTEGER NOT NULL,
        mono_boot TEXT NOT NULL,
        offline INTEGER NOT NULL CHECK (offline IN (0, 1)),
        postings TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        entry_hash TEXT NOT NULL,
        PRIMARY KEY (terminal_id, epoch, seq),
        FOREIGN KEY (terminal_id, epoch) REFERENCES ledger_stream (terminal_id, epoch)
      ) STRICT;
      CREATE UNIQUE INDEX ledger_entry_by_id ON ledger_entry (entry_id);
      CREATE INDEX ledger_entry_by_member ON ledger_entry (member_id, seq) WHERE member_id IS NOT NULL;
      CREATE INDEX ledger_entry_by_wall_time ON ledger_entry (wall_time);

      -- Gapless seq and an unbroken prev_hash link, enforced by the database too.
      CREATE TRIGGER ledger_entry_follows_head BEFORE INSERT ON ledger_entry
      BEGIN
        SELECT RAISE(ABORT, 'ledger_entry: seq must follow the stream head')
        WHERE NEW.seq <> coalesce((SELECT max(seq) FROM ledger_entry WHERE terminal_id = NEW.terminal_id AND epoch = NEW.epoch), 0) + 1;
        SELECT RAISE(ABORT, 'ledger_entry: prev_hash must be the stream head hash')
        WHERE NEW.prev_hash IS NOT coalesce(
          (SELECT entry_hash FROM ledger_entry WHERE terminal_id = NEW.terminal_id AND epoch = NEW.epoch ORDER BY seq DESC LIMIT 1),
          (SELECT genesis_hash FROM ledger_stream WHERE terminal_id = NEW.terminal_id AND epoch = NEW.epoch));
      END;

      -- The entry's postings, one row per leg, for queries by account.
      CREATE TABLE ledger_posting (
        terminal_id TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        leg INTEGER NOT NULL CHECK (leg >= 0),
        account TEXT NOT NULL,
        delta INTEGER NOT NULL CHECK (delta <> 0),
        PRIMARY KEY (terminal_id, epoch, seq, leg),
        FOREIGN KEY (terminal_id, epoch, seq) REFERENCES ledger_entry (terminal_id, epoch, seq)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX ledger_posting_by_account ON ledger_posting (account, seq);

      -- Projection: the sum of postings per account, kept in the same transaction.
      -- A member's points never go below zero (a shortfall goes to their clawback account).
      CREATE TABLE ledger_balance (
        account TEXT PRIMARY KEY,
        balance INTEGER NOT NULL CHECK (balance >= 0 OR account NOT GLOB 'member:*:points'),
        updated_seq INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;

      -- Projection: points by the date they expire; the sum of a member's open lots is their balance.
      CREATE TABLE ledger_lot (
        lot_id TEXT PRIMARY KEY,
        member_id TEXT NOT NULL,
        points INTEGER NOT NULL CHECK (points > 0),
        remaining INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= points),
        opened_seq INTEGER NOT NULL,
        expires_on TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX ledger_lot_open_by_member ON ledger_lot (member_id, expires_at, opened_seq) WHERE remaining > 0;
      CREATE INDEX ledger_lot_open_by_expiry ON ledger_lot (expires_at) WHERE remaining > 0;

      -- Committed sales, keyed by the till's receipt: the idempotency record and what refunds need.
      CREATE TABLE ledger_sale (
        till_id TEXT NOT NULL,
        receipt TEXT NOT NULL,
        sale_id TEXT NOT NULL UNIQUE,
        member_id TEXT NOT NULL,
        body_hash TEXT NOT NULL,
        committed_at INTEGER NOT NULL,
        earned INTEGER NOT NULL,
        redeemed_points INTEGER NOT NULL,
        redeem_entry_id TEXT,
        earn_entry_id TEXT NOT NULL,
        lines TEXT NOT NULL,
        result TEXT NOT NULL,
        PRIMARY KEY (till_id, receipt)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE ledger_refund (
        refund_id TEXT PRIMARY KEY,
        till_id TEXT NOT NULL,
        receipt TEXT NOT NULL,
        body_hash TEXT NOT NULL,
        refunded_at INTEGER NOT NULL,
        lines TEXT NOT NULL,
        earn_reversed INTEGER NOT NULL,
        redeem_restored INTEGER NOT NULL,
        result TEXT NOT NULL,
        FOREIGN KEY (till_id, receipt) REFERENCES ledger_sale (till_id, receipt)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX ledger_refund_by_sale ON ledger_refund (till_id, receipt);

      CREATE TABLE ledger_adjustment (
        adjustment_id TEXT PRIMARY KEY,
        body_hash TEXT NOT NULL,
        result TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;

      -- HQ receipts, newest wins: acks never touch journal rows.
      CREATE TABLE ledger_sync_ack (
        terminal_id TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        acked_through_seq INTEGER NOT NULL,
        acked_hash TEXT NOT NULL,
        hq_receipt TEXT NOT NULL,
        acked_at INTEGER NOT NULL,
        PRIMARY KEY (terminal_id, epoch, acked_through_seq)
      ) STRICT, WITHOUT ROWID;

      -- Small mutable ledger state (the offline session), never facts.
      CREATE TABLE ledger_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;

      CREATE TRIGGER ledger_stream_no_update BEFORE UPDATE ON ledger_stream BEGIN SELECT RAISE(ABORT, 'ledger_stream is append-only'); END;
      CREATE TRIGGER ledger_stream_no_delete BEFORE DELETE ON ledger_stream BEGIN SELECT RAISE(ABORT, 'ledger_stream is append-only'); END;
      CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry BEGIN SELECT RAISE(ABORT, 'ledger_entry is append-only'); END;
      CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry BEGIN SELECT RAISE(ABORT, 'ledger_entry is append-only'); END;
      CREATE TRIGGER ledger_posting_no_update BEFORE UPDATE ON ledger_posting BEGIN SELECT RAISE(ABORT, 'ledger_posting is append-only'); END;
      CREATE TRIGGER ledger_posting_no_delete BEFORE DELETE ON ledger_posting BEGIN SELECT RAISE(ABORT, 'ledger_posting is append-only'); END;
      CREATE TRIGGER ledger_sale_no_update BEFORE UPDATE ON ledger_sale BEGIN SELECT RAISE(ABORT, 'ledger_sale is append-only'); END;
      CREATE TRIGGER ledger_sale_no_delete BEFORE DELETE ON ledger_sale BEGIN SELECT RAISE(ABORT, 'ledger_sale is append-only'); END;
      CREATE TRIGGER ledger_refund_no_update BEFORE UPDATE ON ledger_refund BEGIN SELECT RAISE(ABORT, 'ledger_refund is append-only'); END;
      CREATE TRIGGER ledger_refund_no_delete BEFORE DELETE ON ledger_refund BEGIN SELECT RAISE(ABORT, 'ledger_refund is append-only'); END;
      CREATE TRIGGER ledger_adjustment_no_update BEFORE UPDATE ON ledger_adjustment BEGIN SELECT RAISE(ABORT, 'ledger_adjustment is append-only'); END;
      CREATE TRIGGER ledger_adjustment_no_delete BEFORE DELETE ON ledger_adjustment BEGIN SELECT RAISE(ABORT, 'ledger_adjustment is append-only'); END;
      CREATE TRIGGER ledger_sync_ack_no_update BEFORE UPDATE ON ledger_sync_ack BEGIN SELECT RAISE(ABORT, 'ledger_sync_ack is append-only'); END;
      CREATE TRIGGER ledger_sync_ack_no_delete BEFORE DELETE ON ledger_sync_ack BEGIN SELECT RAISE(ABORT, 'ledger_sync_ack is append-only'); END;
    `,
  },
  {
    version: 3,
    name: 'till API: idempotency keys and their stored responses',
    sql: `
      -- One row per write a till made through the HTTP API, keyed by the till and
      -- its Idempotency-Key: a retry with the same request gets these exact bytes.
      -- Rows are pruned after a retention window; the ledger stays idempotent by
      -- receipt and refund id on its own.
      CREATE TABLE till_request (
        till_id TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        request_hash TEXT NOT NULL CHECK (length(request_hash) = 64),
        status INTEGER NOT NULL CHECK (status BETWEEN 100 AND 599),
        response TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (till_id, idempotency_key)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX till_request_by_age ON till_request (created_at);
      CREATE TRIGGER till_request_no_update BEFORE UPDATE ON till_request
      BEGIN SELECT RAISE(ABORT, 'till_request: a stored response never changes'); END;
    `,
  },
  {
    version: 4,
    name: 'devices: NFC tags paired with cards, the persistent print job queue',
    sql: `
      -- A physical NFC card's UID, upper-case hex in reader byte order, paired with a loyalty card.
      -- Phones present random UIDs and are never stored here (the code refuses them).
      CREATE TABLE member_nfc_tag (
        uid TEXT PRIMARY KEY CHECK (length(uid) IN (8, 14, 20) AND uid NOT GLOB '*[^0-9A-F]*'),
        card_number TEXT NOT NULL REFERENCES member_card(card_number),
        paired_at INTEGER NOT NULL,
        paired_by_terminal TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX member_nfc_tag_by_card ON member_nfc_tag(card_number);

      -- Print jobs survive paper out, a pulled cable and a restart; a job is done once, when the
      -- printer confirmed it (GS r), and never printed again after that.
      CREATE TABLE print_job (
        seq INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL UNIQUE,
        printer_id TEXT NOT NULL,
        label TEXT NOT NULL,
        payload BLOB NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'printing', 'interrupted', 'done', 'abandoned')),
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_problem TEXT
      ) STRICT;
      CREATE INDEX print_job_pending ON print_job(printer_id, state, seq);
    `,
  },
  {
    version: 5,
    name: 'HQ sync: terminal key pair, enrolment, pulled data, genesis adoption by an empty stream',
    sql: `
      -- The terminal's Ed25519 key pair (src/main/core/sync/keys.ts): one row, made once.
      CREATE TABLE sync_identity (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        key_id TEXT NOT NULL,
        public_key TEXT NOT NULL,
        private_key TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE TRIGGER sync_identity_no_update BEFORE UPDATE ON sync_identity BEGIN SELECT RAISE(ABORT, 'sync_identity is append-only'); END;

      -- HQ's signed enrolment receipts, one per epoch; the highest epoch is current.
      -- hq_public_key is pinned here on first use and verifies every later HQ message.
      CREATE TABLE sync_enrolment (
        terminal_id TEXT NOT NULL,
        epoch INTEGER NOT NULL CHECK (epoch >= 1),
        store_id TEXT NOT NULL,
        terminal_key_id TEXT NOT NULL,
        hq_key_id TEXT NOT NULL,
        hq_public_key TEXT NOT NULL,
        genesis_hash TEXT NOT NULL CHECK (length(genesis_hash) = 64),
        receipt TEXT NOT NULL,
        enrolled_at INTEGER NOT NULL,
        PRIMARY KEY (terminal_id, epoch)
      ) STRICT, WITHOUT ROWID;
      CREATE TRIGGER sync_enrolment_no_update BEFORE UPDATE ON sync_enrolment BEGIN SELECT RAISE(ABORT, 'sync_enrolment is append-only'); END;
      CREATE TRIGGER sync_enrolment_no_delete BEFORE DELETE ON sync_enrolment BEGIN SELECT RAISE(ABORT, 'sync_enrolment is append-only'); END;

      -- What the last applied pull left: bucket cookies, the signed allowance, program rules, app versions.
      CREATE TABLE sync_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;

      -- Bucket items the terminal does not interpret yet, kept as HQ sent them.
      CREATE TABLE sync_bucket_item (
        bucket TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (bucket, key)
      ) STRICT, WITHOUT ROWID;

      -- HQ-confirmed chain-wide positions: the till shows this plus local postings after as_of_seq.
      CREATE TABLE sync_member_balance (
        member_id TEXT PRIMARY KEY,
        balance INTEGER NOT NULL,
        pending INTEGER NOT NULL,
        lots TEXT NOT NULL,
        as_of_seq INTEGER NOT NULL,
        received_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;

      -- A stream opened before enrolment chains to the provisional genesis. While it is still
      -- empty it may adopt HQ's genesis (sync/enrolment.ts); every other update stays refused.
      DROP TRIGGER ledger_stream_no_update;
      CREATE TRIGGER ledger_stream_no_update BEFORE UPDATE ON ledger_stream
      WHEN NOT (
        OLD.genesis_hash = 'ffedfd3c2151f9018e7bfa954bf851e69b072495c5eb5eaa5821be1e666070c0'
        AND NEW.terminal_id = OLD.terminal_id AND NEW.epoch = OLD.epoch AND NEW.opened_at = OLD.opened_at
        AND NOT EXISTS (SELECT 1 FROM ledger_entry WHERE terminal_id = OLD.terminal_id AND epoch = OLD.epoch)
      )
      BEGIN SELECT RAISE(ABORT, 'ledger_stream is append-only (an empty stream may only adopt its HQ genesis once)'); END;
    `,
  },
  {
    version: 6,
    name: 'member records to HQ: the member outbox; provisional members for unknown cards',
    sql: `
      -- Members whose record HQ has not acknowledged yet (sync/member-outbox.ts). A pointer, not a
      -- copy: the record is read when it is sent. Filled by trigger in the transaction that creates
      -- the member, so no code path can create one HQ never hears of; members HQ sent are not echoed.
      CREATE TABLE member_outbox (
        member_id TEXT PRIMARY KEY REFERENCES member(id),
        queued_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        -- HQ refused the record itself (not the request): kept for the IT view, no longer sent.
        rejected TEXT
      ) STRICT, WITHOUT ROWID;
      CREATE TRIGGER member_outbox_on_insert AFTER INSERT ON member WHEN NEW.created_by_terminal <> 'hq'
      BEGIN
        INSERT OR IGNORE INTO member_outbox (member_id, queued_at) VALUES (NEW.id, NEW.created_at);
      END;
      -- Members enrolled before this version never reached HQ either.
      INSERT INTO member_outbox (member_id, queued_at) SELECT id, created_at FROM member WHERE created_by_terminal <> 'hq';

      -- A card this terminal did not know, earned on while HQ was away: the member row holds only the
      -- card (no name, no contact, no consent). Redemption is refused on it. HQ links the card to its
      -- customer and moves the points; the next pull reassigns the card, and the trigger below notes
      -- whom this member became.
      CREATE TABLE member_provisional (
        member_id TEXT PRIMARY KEY REFERENCES member(id),
        card_number TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        merged_into TEXT
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX member_provisional_by_card ON member_provisional(card_number);
      CREATE TRIGGER member_provisional_merged AFTER UPDATE OF member_id ON member_card
      WHEN OLD.member_id <> NEW.member_id
      BEGIN
        UPDATE member_provisional SET merged_into = NEW.member_id WHERE member_id = OLD.member_id AND card_number = OLD.card_number;
      END;
    `,
  },
  {
    version: 7,
    name: "a member's points account is this terminal's share of a chain-wide balance",
    sql: `
      -- Points earned in another store may be spent here: the local account then goes below zero and
      -- HQ adds the shares up. What may be spent is checked against HQ's pulled balance (ledger/chain-view.ts),
      -- so the CHECK that kept a member's local points at or above zero goes; the rows are as they were.
      CREATE TABLE ledger_balance_v7 (
        account TEXT PRIMARY KEY,
        balance INTEGER NOT NULL,
        updated_seq INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      INSERT INTO ledger_balance_v7 (account, balance, updated_seq) SELECT account, balance, updated_seq FROM ledger_balance;
      DROP TABLE ledger_balance;
      ALTER TABLE ledger_balance_v7 RENAME TO ledger_balance;
    `,
  },
  {
    version: 8,
    name: 'compact layout for sales, refunds and till requests; the terminal key may be re-sealed once',
    sql: `
      -- WITHOUT ROWID tables keep at most about a quarter of a page per row in the b-tree: a sale's
      -- lines and result (1-2 KB of JSON) spilled into a 4 KB overflow page each, three quarters empty
      -- (230 MB for 26,569 sales). Ordinary rowid tables keep such rows on the page; the rows are copied
      -- as they are, byte for byte. Refunds go first (they reference sales), then come back.
      CREATE TABLE ledger_refund_v8_copy AS SELECT * FROM ledger_refund;
      DROP TABLE ledger_refund;

      CREATE TABLE ledger_sale_v8 (
        till_id TEXT NOT NULL,
        receipt TEXT NOT NULL,
        sale_id TEXT NOT NULL UNIQUE,
        member_id TEXT NOT NULL,
        body_hash TEXT NOT NULL,
        committed_at INTEGER NOT NULL,
        earned INTEGER NOT NULL,
        redeemed_points INTEGER NOT NULL,
        redeem_entry_id TEXT,
        earn_entry_id TEXT NOT NULL,
        lines TEXT NOT NULL,
        result TEXT NOT NULL,
        UNIQUE (till_id, receipt)
      ) STRICT;
      INSERT INTO ledger_sale_v8 (till_id, receipt, sale_id, member_id, body_hash, committed_at, earned, redeemed_points, redeem_entry_id, earn_entry_id, lines, result)
        SELECT till_id, receipt, sale_id, member_id, body_hash, committed_at, earned, redeemed_points, redeem_entry_id, earn_entry_id, lines, result
        FROM ledger_sale ORDER BY committed_at, till_id, receipt;
      DROP TABLE ledger_sale;
      ALTER TABLE ledger_sale_v8 RENAME TO ledger_sale;

      CREATE TABLE ledger_refund (
        refund_id TEXT NOT NULL UNIQUE,
        till_id TEXT NOT NULL,
        receipt TEXT NOT NULL,
        body_hash TEXT NOT NULL,
        refunded_at INTEGER NOT NULL,
        lines TEXT NOT NULL,
        earn_reversed INTEGER NOT NULL,
        redeem_restored INTEGER NOT NULL,
        result TEXT NOT NULL,
        FOREIGN KEY (till_id, receipt) REFERENCES ledger_sale (till_id, receipt)
      ) STRICT;
      INSERT INTO ledger_refund (refund_id, till_id, receipt, body_hash, refunded_at, lines, earn_reversed, redeem_restored, result)
        SELECT refund_id, till_id, receipt, body_hash, refunded_at, lines, earn_reversed, redeem_restored, result
        FROM ledger_refund_v8_copy ORDER BY refunded_at, refund_id;
      DROP TABLE ledger_refund_v8_copy;
      CREATE INDEX ledger_refund_by_sale ON ledger_refund (till_id, receipt);

      CREATE TRIGGER ledger_sale_no_update BEFORE UPDATE ON ledger_sale BEGIN SELECT RAISE(ABORT, 'ledger_sale is append-only'); END;
      CREATE TRIGGER ledger_sale_no_delete BEFORE DELETE ON ledger_sale BEGIN SELECT RAISE(ABORT, 'ledger_sale is append-only'); END;
      CREATE TRIGGER ledger_refund_no_update BEFORE UPDATE ON ledger_refund BEGIN SELECT RAISE(ABORT, 'ledger_refund is append-only'); END;
      CREATE TRIGGER ledger_refund_no_delete BEFORE DELETE ON ledger_refund BEGIN SELECT RAISE(ABORT, 'ledger_refund is append-only'); END;

      -- The till API's stored responses: the same spill, and pruned after their retention (core/retention.ts).
      CREATE TABLE till_request_v8 (
        till_id TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        request_hash TEXT NOT NULL CHECK (length(request_hash) = 64),
        status INTEGER NOT NULL CHECK (status BETWEEN 100 AND 599),
        response TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (till_id, idempotency_key)
      ) STRICT;
      INSERT INTO till_request_v8 (till_id, idempotency_key, request_hash, status, response, created_at)
        SELECT till_id, idempotency_key, request_hash, status, response, created_at FROM till_request ORDER BY created_at;
      DROP TABLE till_request;
      ALTER TABLE till_request_v8 RENAME TO till_request;
      CREATE INDEX till_request_by_age ON till_request (created_at);
      CREATE TRIGGER till_request_no_update BEFORE UPDATE ON till_request
      BEGIN SELECT RAISE(ABORT, 'till_request: a stored response never changes'); END;

      -- A key stored plain by an older build is sealed in place by the shell's vault (sync/keys.ts,
      -- sealTerminalKey); the pair itself, and every other column, still never changes.
      DROP TRIGGER sync_identity_no_update;
      CREATE TRIGGER sync_identity_no_update BEFORE UPDATE ON sync_identity
      WHEN NOT (
        NEW.id = OLD.id AND NEW.key_id = OLD.key_id AND NEW.public_key = OLD.public_key AND NEW.created_at = OLD.created_at
        AND NEW.private_key GLOB '[a-z0-9-]*:*' AND NEW.private_key <> OLD.private_key
      )
      BEGIN SELECT RAISE(ABORT, 'sync_identity is append-only (its private key may only be sealed)'); END;
    `,
  },
  {
    version: 9,
    name: 'customer incidents: their projection, their facts for health, erasable notes, the goodwill budget used',
    sql: `
      -- One row per incident recorded here (docs/relationship.md), from the incident_* journal entries,
      -- written in the same transaction. note_id points into incident_note, never hashed.
      CREATE TABLE incident (
        incident_id TEXT PRIMARY KEY,
        member_id TEXT,
        kind TEXT NOT NULL,
        severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 5),
        channel TEXT NOT NULL,
        till_id TEXT,
        receipt TEXT,
        recorded_by TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
        outcome TEXT,
        gesture TEXT,
        gesture_cents INTEGER NOT NULL DEFAULT 0 CHECK (gesture_cents >= 0),
        resolved_at INTEGER,
        resolved_by TEXT,
        approved_by TEXT,
        note_id TEXT
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX incident_open_by_member ON incident (member_id, opened_at) WHERE status = 'open';
      CREATE INDEX incident_by_opened_at ON incident (opened_at);

      -- A member's incident facts (relationship-health.ts IncidentFact), clustered by member so health
      -- reads them in one range. Facts from other stores come with HQ's pull (sync_bucket_item).
      CREATE TABLE incident_fact (
        member_id TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        fact TEXT NOT NULL,
        PRIMARY KEY (member_id, entry_id)
      ) STRICT, WITHOUT ROWID;

      -- Notes are personal data: outside the hashed journal, so they can be erased (the entry keeps its note_id).
      CREATE TABLE incident_note (
        note_id TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX incident_note_by_incident ON incident_note (incident_id);

      -- What this terminal granted per goodwill period ('2026-03-10', '2026-W11', '2026-03'), in cents.
      CREATE TABLE goodwill_usage (
        period_key TEXT PRIMARY KEY,
        cents INTEGER NOT NULL CHECK (cents >= 0)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 10,
    name: 'satisfaction survey: when each member was last asked',
    sql: `
      -- The customer screen asks a member at most once per period (core/incidents/survey.ts). Anonymous
      -- customers leave no row: their answers are only counted, in the journal.
      CREATE TABLE survey_asked (
        member_id TEXT PRIMARY KEY,
        asked_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 11,
    name: 'member search: pairs of name words, so a two-word search is one index range',
    sql: `
      -- member-store.ts searchTokens writes these for every member from now on; here, the members already
      -- in the store get theirs from their name words: each last-name (kind 1 → 6) or first-name (2 → 7)
      -- word, CHAR(1), then each other name word of the same member.
      INSERT OR IGNORE INTO member_search_token (kind, token, sort_key, member_id)
      SELECT a.kind + 5, a.token || char(1) || b.token, a.sort_key, a.member_id
      FROM member_search_token a
      JOIN member_search_token b ON b.member_id = a.member_id AND b.kind IN (1, 2) AND b.token <> a.token
      WHERE a.kind IN (1, 2);
    `,
  },
  {
    version: 12,
    name: 'relationship health: one summary row per member, dropped by triggers when its sources change',
    sql: `
      -- A member's incidents from every store folded into one row (incidents/relationship-summary.ts), so that a
      -- lookup reads one row. A cache, never a record: any change to its sources drops the member's row and marks
      -- them stale; the write that made the change builds it again in its transaction (an incident recorded,
      -- updated or resolved, a pull), and the terminal catches up with the rest at start. Without a row, health
      -- is read from the sources. (No INSERT OR IGNORE in the triggers: an upsert that fires them imposes its own
      -- conflict policy on them.)
      CREATE TABLE relationship_summary (
        member_id TEXT PRIMARY KEY,
        summary TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE relationship_stale (
        member_id TEXT PRIMARY KEY
      ) STRICT, WITHOUT ROWID;

      CREATE TRIGGER relationship_stale_fact_insert AFTER INSERT ON incident_fact
      BEGIN INSERT INTO relationship_stale (member_id) SELECT NEW.member_id WHERE NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = NEW.member_id); DELETE FROM relationship_summary WHERE member_id = NEW.member_id; END;
      CREATE TRIGGER relationship_stale_fact_update AFTER UPDATE ON incident_fact
      BEGIN INSERT INTO relationship_stale (member_id) SELECT OLD.member_id WHERE NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = OLD.member_id); DELETE FROM relationship_summary WHERE member_id = OLD.member_id; INSERT INTO relationship_stale (member_id) SELECT NEW.member_id WHERE NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = NEW.member_id); DELETE FROM relationship_summary WHERE member_id = NEW.member_id; END;
      CREATE TRIGGER relationship_stale_fact_delete AFTER DELETE ON incident_fact
      BEGIN INSERT INTO relationship_stale (member_id) SELECT OLD.member_id WHERE NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = OLD.member_id); DELETE FROM relationship_summary WHERE member_id = OLD.member_id; END;

      CREATE TRIGGER relationship_stale_incident_insert AFTER INSERT ON incident WHEN NEW.member_id IS NOT NULL
      BEGIN INSERT INTO relationship_stale (member_id) SELECT NEW.member_id WHERE NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = NEW.member_id); DELETE FROM relationship_summary WHERE member_id = NEW.member_id; END;
      CREATE TRIGGER relationship_stale_incident_update AFTER UPDATE ON incident
      BEGIN INSERT INTO relationship_stale (member_id) SELECT OLD.member_id WHERE OLD.member_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = OLD.member_id); DELETE FROM relationship_summary WHERE member_id = OLD.member_id; INSERT INTO relationship_stale (member_id) SELECT NEW.member_id WHERE NEW.member_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = NEW.member_id); DELETE FROM relationship_summary WHERE member_id = NEW.member_id; END;
      CREATE TRIGGER relationship_stale_incident_delete AFTER DELETE ON incident WHEN OLD.member_id IS NOT NULL
      BEGIN INSERT INTO relationship_stale (member_id) SELECT OLD.member_id WHERE NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = OLD.member_id); DELETE FROM relationship_summary WHERE member_id = OLD.member_id; END;

      CREATE TRIGGER relationship_stale_note_insert AFTER INSERT ON incident_note
      BEGIN
        INSERT INTO relationship_stale (member_id)
          SELECT i.member_id FROM incident i WHERE i.incident_id = NEW.incident_id AND i.member_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM relationship_stale s WHERE s.member_id = i.member_id);
        DELETE FROM relationship_summary WHERE member_id = (SELECT member_id FROM incident WHERE incident_id = NEW.incident_id);
      END;

      CREATE TRIGGER relationship_stale_item_insert AFTER INSERT ON sync_bucket_item
      WHEN NEW.bucket = 'store' AND substr(NEW.key, 1, 13) = 'relationship:'
      BEGIN INSERT INTO relationship_stale (member_id) SELECT substr(NEW.key, 14) WHERE NEW.bucket = 'store' AND substr(NEW.key, 1, 13) = 'relationship:' AND NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = substr(NEW.key, 14)); DELETE FROM relationship_summary WHERE NEW.bucket = 'store' AND member_id = substr(NEW.key, 14); END;
      CREATE TRIGGER relationship_stale_item_update AFTER UPDATE ON sync_bucket_item
      WHEN (OLD.bucket = 'store' AND substr(OLD.key, 1, 13) = 'relationship:') OR (NEW.bucket = 'store' AND substr(NEW.key, 1, 13) = 'relationship:')
      BEGIN INSERT INTO relationship_stale (member_id) SELECT substr(OLD.key, 14) WHERE OLD.bucket = 'store' AND substr(OLD.key, 1, 13) = 'relationship:' AND NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = substr(OLD.key, 14)); DELETE FROM relationship_summary WHERE OLD.bucket = 'store' AND member_id = substr(OLD.key, 14); INSERT INTO relationship_stale (member_id) SELECT substr(NEW.key, 14) WHERE NEW.bucket = 'store' AND substr(NEW.key, 1, 13) = 'relationship:' AND NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = substr(NEW.key, 14)); DELETE FROM relationship_summary WHERE NEW.bucket = 'store' AND member_id = substr(NEW.key, 14); END;
      CREATE TRIGGER relationship_stale_item_delete AFTER DELETE ON sync_bucket_item
      WHEN OLD.bucket = 'store' AND substr(OLD.key, 1, 13) = 'relationship:'
      BEGIN INSERT INTO relationship_stale (member_id) SELECT substr(OLD.key, 14) WHERE OLD.bucket = 'store' AND substr(OLD.key, 1, 13) = 'relationship:' AND NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = substr(OLD.key, 14)); DELETE FROM relationship_summary WHERE OLD.bucket = 'store' AND member_id = substr(OLD.key, 14); END;

      -- A terminal upgraded with incidents already: every member with facts or HQ's item, built at the next start.
      INSERT OR IGNORE INTO relationship_stale (member_id)
        SELECT DISTINCT member_id FROM incident_fact
        UNION SELECT substr(key, 14) FROM sync_bucket_item WHERE bucket = 'store' AND substr(key, 1, 13) = 'relationship:';
    `,
  },
  {
    version: 13,
    name: 'member search: how many name words of each kind are each word, so picking the rarest word reads a few rows',
    sql: `
      -- member-search.ts counts how many name words start with each word of a query (up to 2,000 per kind) to
      -- lead with the rarest: the sum of these counts over the distinct words of the range, instead of every
      -- token row. Kept by triggers on member_search_token (kinds 1 and 2 only; no INSERT OR IGNORE here, an
      -- outer INSERT OR IGNORE would impose its policy on it).
      CREATE TABLE member_search_word (
        kind INTEGER NOT NULL,
        token TEXT NOT NULL,
        n INTEGER NOT NULL CHECK (n >= 0),
        PRIMARY KEY (kind, token)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO member_search_word (kind, token, n)
        SELECT kind, token, count(*) FROM member_search_token WHERE kind IN (1, 2) GROUP BY kind, token;

      CREATE TRIGGER member_search_word_insert AFTER INSERT ON member_search_token WHEN NEW.kind IN (1, 2)
      BEGIN
        INSERT INTO member_search_word (kind, token, n) SELECT NEW.kind, NEW.token, 0
          WHERE NOT EXISTS (SELECT 1 FROM member_search_word WHERE kind = NEW.kind AND token = NEW.token);
        UPDATE member_search_word SET n = n + 1 WHERE kind = NEW.kind AND token = NEW.token;
      END;
      CREATE TRIGGER member_search_word_delete AFTER DELETE ON member_search_token WHEN OLD.kind IN (1, 2)
      BEGIN
        UPDATE member_search_word SET n = n - 1 WHERE kind = OLD.kind AND token = OLD.token;
        DELETE FROM member_search_word WHERE kind = OLD.kind AND token = OLD.token AND n = 0;
      END;
      CREATE TRIGGER member_search_word_update AFTER UPDATE OF kind, token ON member_search_token
      BEGIN
        UPDATE member_search_word SET n = n - 1 WHERE OLD.kind IN (1, 2) AND kind = OLD.kind AND token = OLD.token;
        DELETE FROM member_search_word WHERE OLD.kind IN (1, 2) AND kind = OLD.kind AND token = OLD.token AND n = 0;
        INSERT INTO member_search_word (kind, token, n) SELECT NEW.kind, NEW.token, 0
          WHERE NEW.kind IN (1, 2) AND NOT EXISTS (SELECT 1 FROM member_search_word WHERE kind = NEW.kind AND token = NEW.token);
        UPDATE member_search_word SET n = n + 1 WHERE NEW.kind IN (1, 2) AND kind = NEW.kind AND token = NEW.token;
      END;
    `,
  },
  {
    version: 14,
    name: 'relationship health: the summary in the member row, read in the page the card lookup just read',
    sql: `
      -- Migration 12's summary moves into the member row (column relationship, NULL when stale or none): a lookup
      -- by card has just read that page, so health costs no read of its own. Same triggers, same rules.
      ALTER TABLE member ADD COLUMN relationship TEXT;
      UPDATE member SET relationship = (SELECT s.summary FROM relationship_summary s WHERE s.member_id = member.id)
        WHERE id IN (SELECT member_id FROM relationship_summary);
      DROP TRIGGER relationship_stale_fact_insert;
      DROP TRIGGER relationship_stale_fact_update;
      DROP TRIGGER relationship_stale_fact_delete;
      DROP TRIGGER relationship_stale_incident_insert;
      DROP TRIGGER relationship_stale_incident_update;
      DROP TRIGGER relationship_stale_incident_delete;
      DROP TRIGGER relationship_stale_note_insert;
      DROP TRIGGER relationship_stale_item_insert;
      DROP TRIGGER relationship_stale_item_update;
      DROP TRIGGER relationship_stale_item_delete;
      DROP TABLE relationship_summary;

      CREATE TRIGGER relationship_stale_fact_insert AFTER INSERT ON incident_fact
      BEGIN INSERT INTO relationship_stale (member_id) SELECT NEW.member_id WHERE NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = NEW.member_id); UPDATE member SET relationship = NULL WHERE id = NEW.member_id AND relationship IS NOT NULL; END;
      CREATE TRIGGER relationship_stale_fact_update AFTER UPDATE ON incident_fact
      BEGIN INSERT INTO relationship_stale (member_id) SELECT OLD.member_id WHERE NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = OLD.member_id); UPDATE member SET relationship = NULL WHERE id = OLD.member_id AND relationship IS NOT NULL; INSERT INTO relationship_stale (member_id) SELECT NEW.member_id WHERE NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = NEW.member_id); UPDATE member SET relationship = NULL WHERE id = NEW.member_id AND relationship IS NOT NULL; END;
      CREATE TRIGGER relationship_stale_fact_delete AFTER DELETE ON incident_fact
      BEGIN INSERT INTO relationship_stale (member_id) SELECT OLD.member_id WHERE NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = OLD.member_id); UPDATE member SET relationship = NULL WHERE id = OLD.member_id AND relationship IS NOT NULL; END;

      CREATE TRIGGER relationship_stale_incident_insert AFTER INSERT ON incident WHEN NEW.member_id IS NOT NULL
      BEGIN INSERT INTO relationship_stale (member_id) SELECT NEW.member_id WHERE NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = NEW.member_id); UPDATE member SET relationship = NULL WHERE id = NEW.member_id AND relationship IS NOT NULL; END;
      CREATE TRIGGER relationship_stale_incident_update AFTER UPDATE ON incident
      BEGIN INSERT INTO relationship_stale (member_id) SELECT OLD.member_id WHERE OLD.member_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = OLD.member_id); UPDATE member SET relationship = NULL WHERE id = OLD.member_id AND relationship IS NOT NULL; INSERT INTO relationship_stale (member_id) SELECT NEW.member_id WHERE NEW.member_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = NEW.member_id); UPDATE member SET relationship = NULL WHERE id = NEW.member_id AND relationship IS NOT NULL; END;
      CREATE TRIGGER relationship_stale_incident_delete AFTER DELETE ON incident WHEN OLD.member_id IS NOT NULL
      BEGIN INSERT INTO relationship_stale (member_id) SELECT OLD.member_id WHERE NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = OLD.member_id); UPDATE member SET relationship = NULL WHERE id = OLD.member_id AND relationship IS NOT NULL; END;

      CREATE TRIGGER relationship_stale_note_insert AFTER INSERT ON incident_note
      BEGIN
        INSERT INTO relationship_stale (member_id)
          SELECT i.member_id FROM incident i WHERE i.incident_id = NEW.incident_id AND i.member_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM relationship_stale s WHERE s.member_id = i.member_id);
        UPDATE member SET relationship = NULL WHERE id = (SELECT member_id FROM incident WHERE incident_id = NEW.incident_id) AND relationship IS NOT NULL;
      END;

      CREATE TRIGGER relationship_stale_item_insert AFTER INSERT ON sync_bucket_item
      WHEN NEW.bucket = 'store' AND substr(NEW.key, 1, 13) = 'relationship:'
      BEGIN INSERT INTO relationship_stale (member_id) SELECT substr(NEW.key, 14) WHERE NEW.bucket = 'store' AND substr(NEW.key, 1, 13) = 'relationship:' AND NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = substr(NEW.key, 14)); UPDATE member SET relationship = NULL WHERE NEW.bucket = 'store' AND id = substr(NEW.key, 14) AND relationship IS NOT NULL; END;
      CREATE TRIGGER relationship_stale_item_update AFTER UPDATE ON sync_bucket_item
      WHEN (OLD.bucket = 'store' AND substr(OLD.key, 1, 13) = 'relationship:') OR (NEW.bucket = 'store' AND substr(NEW.key, 1, 13) = 'relationship:')
      BEGIN INSERT INTO relationship_stale (member_id) SELECT substr(OLD.key, 14) WHERE OLD.bucket = 'store' AND substr(OLD.key, 1, 13) = 'relationship:' AND NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = substr(OLD.key, 14)); UPDATE member SET relationship = NULL WHERE OLD.bucket = 'store' AND id = substr(OLD.key, 14) AND relationship IS NOT NULL; INSERT INTO relationship_stale (member_id) SELECT substr(NEW.key, 14) WHERE NEW.bucket = 'store' AND substr(NEW.key, 1, 13) = 'relationship:' AND NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = substr(NEW.key, 14)); UPDATE member SET relationship = NULL WHERE NEW.bucket = 'store' AND id = substr(NEW.key, 14) AND relationship IS NOT NULL; END;
      CREATE TRIGGER relationship_stale_item_delete AFTER DELETE ON sync_bucket_item
      WHEN OLD.bucket = 'store' AND substr(OLD.key, 1, 13) = 'relationship:'
      BEGIN INSERT INTO relationship_stale (member_id) SELECT substr(OLD.key, 14) WHERE OLD.bucket = 'store' AND substr(OLD.key, 1, 13) = 'relationship:' AND NOT EXISTS (SELECT 1 FROM relationship_stale WHERE member_id = substr(OLD.key, 14)); UPDATE member SET relationship = NULL WHERE OLD.bucket = 'store' AND id = substr(OLD.key, 14) AND relationship IS NOT NULL; END;

    `,
  },
  {
    version: 15,
    name: 'customer value hints from HQ (segment, P(alive), last visit; never a euro value)',
    sql: `
      -- HQ's nightly customer-value run (docs/value.md) sends, for the store's members who agreed to profiling,
      -- the store bucket's value:<memberId> item; the pull keeps it here, one row per member, and deletes it with the key.
      CREATE TABLE member_value_hint (
        member_id TEXT PRIMARY KEY,
        segment TEXT NOT NULL CHECK (segment IN ('most_valued', 'growing', 'steady', 'at_risk', 'lapsed')),
        p_alive REAL NOT NULL CHECK (p_alive >= 0 AND p_alive <= 1),
        last_visit_on TEXT NOT NULL,
        scored_on TEXT NOT NULL,
        welcome_back TEXT,
        received_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 16,
    name: "a member's balance screen read from two index ranges: open lots and latest movements, without the rows",
    sql: `
      -- The cashier's account view (expiring points, last visits) read a member's open lots and their latest
      -- entries row by row: with a year of sales, some sixty pages scattered over the file per member. Both
      -- indexes now carry what those reads use, so each is one short range of adjacent index entries. A sale
      -- touches the same indexes as before; their entries are wider (the file grows by about an eighth).
      DROP INDEX ledger_lot_open_by_member;
      CREATE INDEX ledger_lot_open_by_member ON ledger_lot (member_id, expires_at, opened_seq, remaining, expires_on) WHERE remaining > 0;
      DROP INDEX ledger_entry_by_member;
      CREATE INDEX ledger_entry_by_member ON ledger_entry (member_id, seq, kind, till_id, receipt, wall_time, postings) WHERE member_id IS NOT NULL;
    `,
  },
  {
    version: 17,
    name: "a member's lots, spent or not, in one covering index: an enrolled terminal's balance no longer scans every lot",
    sql: `
      -- Once enrolled, a member's points by expiry date are HQ's lots plus the lots opened here since HQ's
      -- checkpoint, spent or not (Lots.openedSince): the index of open lots could not answer that, and every
      -- balance read, every till receipt, scanned the whole table. The same columns without the partial clause
      -- serve it and the open-lot reads alike; a sale writes the same entries (a spent lot's stays, updated).
      DROP INDEX ledger_lot_open_by_member;
      CREATE INDEX ledger_lot_by_member ON ledger_lot (member_id, expires_at, opened_seq, remaining, expires_on, points);
    `,
  },
  {
    version: 18,
    name: 'a sale writes one b-tree fewer: postings by account are read from the journal since a checkpoint, not kept in an index',
    sql: `
      -- The index of postings by account was a sale's most written b-tree (about three pages of the twenty-odd its
      -- fsync'd commit writes: the program accounts' hot range and the member's own leaf). Its only reader summed a
      -- member's postings since HQ's checkpoint, a handful of entries that ledger_entry_by_member already lists with
      -- their postings (journal.ts). The postings themselves stay in ledger_posting and in the hashed entry.
      DROP INDEX IF EXISTS ledger_posting_by_account;
    `,
  },
  {
    version: 19,
    name: "the terminal's update state and history (issue 13)",
    sql: `
      -- What the update policy must remember across a restart (its backoff, a release refused for good, the last
      -- error), as one JSON row; and what IT reads on the terminal and HQ in its fleet view: every state change.
      CREATE TABLE update_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        memory TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE update_history (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        from_version TEXT NOT NULL,
        target_version TEXT,
        error_code TEXT,
        message TEXT
      ) STRICT;
    `,
  },
  {
    version: 20,
    name: 'less on every terminal (issue 17): sealed names, keyed hashes and masks of contact data, the lookup log',
    sql: `
      -- The members key (privacy/member-vault.ts), sealed by the terminal's KeyVault like sync_identity's key.
      CREATE TABLE privacy_key (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        sealed TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      -- A SQL migration cannot encrypt: privacy/protect-members.ts moves what first_name, last_name, email and
      -- phone hold into these columns at the next start, in code, and empties them (they stay, unused, since a
      -- released migration's columns cannot be dropped under older readers). name_sealed: AES-GCM of the
      -- names; *_hash: HMAC-SHA256 of the normal form, found by exact match; *_mask: what the cashier sees;
      -- contact_sealed: the full email and phone of a member enrolled here, until HQ has them (the trigger).
      ALTER TABLE member ADD COLUMN name_sealed TEXT;
      ALTER TABLE member ADD COLUMN email_hash TEXT;
      ALTER TABLE member ADD COLUMN phone_hash TEXT;
      ALTER TABLE member ADD COLUMN email_mask TEXT;
      ALTER TABLE member ADD COLUMN phone_mask TEXT;
      ALTER TABLE member ADD COLUMN contact_sealed TEXT;
      CREATE INDEX member_by_email_hash ON member (email_hash);
      CREATE INDEX member_by_phone_hash ON member (phone_hash);
      CREATE TRIGGER member_contact_sent AFTER DELETE ON member_outbox
      BEGIN
        UPDATE member SET contact_sealed = NULL WHERE id = OLD.member_id AND contact_sealed IS NOT NULL;
      END;
      -- Who looked up which member, when (privacy/lookup-log.ts): the member's access view reads it.
      CREATE TABLE member_lookup_log (
        id INTEGER PRIMARY KEY,
        member_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        by_whom TEXT NOT NULL,
        via TEXT NOT NULL
      ) STRICT;
      CREATE INDEX member_lookup_log_by_member ON member_lookup_log (member_id, at);
    `,
  },
  {
    version: 21,
    name: "the chain's product catalogue as HQ's pull sends it (issue 14 item 2)",
    sql: `
      -- One row per product HQ sends (core/products/catalogue.ts); a withdrawn one is deleted here, the journal
      -- keeps its SKU on the sales that sold it. A barcode names one product; a product has zero or more.
      CREATE TABLE product (
        sku TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        category TEXT NOT NULL,
        vat_rate_bp INTEGER NOT NULL,
        price_cents INTEGER NOT NULL,
        received_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE product_ean (
        ean TEXT PRIMARY KEY,
        sku TEXT NOT NULL REFERENCES product (sku) ON DELETE CASCADE
      ) STRICT;
      CREATE INDEX product_ean_by_sku ON product_ean (sku);
    `,
  },
  {
    version: 22,
    name: 'offers from the basket (issue 16 items 3 and 5): the contact-pressure ledger, buying habits, « moins de sollicitations », the rule set',
    sql: `
      -- Every offer shown to a member on this terminal, once per visit, and the customer's answer: the caps per rule,
      -- week and month are counted from it (core/offers/contact-ledger.ts). Personal data, kept under the members'.
      CREATE TABLE offer_contact (
        id INTEGER PRIMARY KEY,
        member_id TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        shown_at INTEGER NOT NULL,
        answer TEXT NOT NULL DEFAULT 'none' CHECK (answer IN ('accepted', 'refused', 'none')),
        answered_at INTEGER
      ) STRICT;
      CREATE INDEX offer_contact_by_member ON offer_contact (member_id, shown_at, rule_id, answer);
      -- What a member usually buys, for history conditions: visits and, per category, visits that bought it.
      -- Written only for members who agreed to profiling.
      CREATE TABLE offer_member_habit (
        member_id TEXT PRIMARY KEY,
        visits INTEGER NOT NULL,
        last_visit_at INTEGER NOT NULL,
        categories TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE offer_preference (
        member_id TEXT PRIMARY KEY,
        fewer_contacts INTEGER NOT NULL CHECK (fewer_contacts IN (0, 1)),
        recorded_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      -- The offer rules in force, validated when installed.
      CREATE TABLE offer_rule_set (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        rules TEXT NOT NULL,
        installed_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 23,
    name: "members' tiers as HQ's nightly ranking sends them (issue 14 item 3)",
    sql: `
      -- The store bucket's tier:<memberId> item (core/tiers/tier-store.ts), checked whole by the pull, one row per member;
      -- a member without a row is in the programme's tier for new members. The labels travel with the tier.
      CREATE TABLE member_tier (
        member_id TEXT PRIMARY KEY,
        tier TEXT NOT NULL,
        label TEXT NOT NULL,
        next_tier TEXT,
        next_label TEXT,
        gap_cents INTEGER CHECK (gap_cents IS NULL OR gap_cents > 0),
        ranked_at INTEGER,
        received_at INTEGER NOT NULL,
        CHECK ((next_tier IS NULL) = (gap_cents IS NULL) AND (next_tier IS NULL) = (next_label IS NULL))
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 24,
    name: "the programme's signed versions HQ sends (issue 14 item 1)",
    sql: `
      -- Each version as HQ signed it (src/main/core/programme/programme-book.ts): the ledger prices a sale with the
      -- one in force at the sale's time, so a version sent ahead applies offline at its effective time. Never updated.
      CREATE TABLE programme_version (
        version TEXT PRIMARY KEY,
        effective_from INTEGER NOT NULL UNIQUE,
        document TEXT NOT NULL,
        published_at INTEGER NOT NULL,
        key_id TEXT NOT NULL,
        signature TEXT NOT NULL,
        received_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 25,
    name: "a sale writes one b-tree fewer: the lots are kept in their member's order, not in a table by lot id and a copy by member",
    sql: `
      -- Every read of lots is a member's (the sale's, the refund's, the balance screen's) or the expiry sweep's;
      -- the table by lot id and ledger_lot_by_member held the same columns, so a sale wrote both (a page of each).
      -- Keyed by member, the table is what the index was. A lot's id stays unique: it is the id of the entry that
      -- opened it, one lot per entry (ledger_entry_by_id is unique). The rows are copied as they are.
      CREATE TABLE ledger_lot_v25 (
        lot_id TEXT NOT NULL,
        member_id TEXT NOT NULL,
        points INTEGER NOT NULL CHECK (points > 0),
        remaining INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= points),
        opened_seq INTEGER NOT NULL,
        expires_on TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (member_id, expires_at, opened_seq, lot_id)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO ledger_lot_v25 (lot_id, member_id, points, remaining, opened_seq, expires_on, expires_at)
        SELECT lot_id, member_id, points, remaining, opened_seq, expires_on, expires_at FROM ledger_lot ORDER BY member_id, expires_at, opened_seq, lot_id;
      DROP TABLE ledger_lot;
      ALTER TABLE ledger_lot_v25 RENAME TO ledger_lot;
      CREATE INDEX ledger_lot_open_by_expiry ON ledger_lot (expires_at) WHERE remaining > 0;
    `,
  },
  {
    version: 26,
    name: 'consents that change (issue 17 item 1): the changes HQ has not received yet',
    sql: `
      -- A consent given or withdrawn at the till or on the customer screen is a new member_consent row (the
      -- table is append-only: the latest row per purpose is the consent); this points at each such row until HQ
      -- acknowledges it (members/consents.ts). A pointer, not a copy: the wording version and time are the row's.
      CREATE TABLE member_consent_outbox (
        consent_rowid INTEGER PRIMARY KEY,
        member_id TEXT NOT NULL,
        queued_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 27,
    name: "basic members' vouchers (issue 14 item 4): each voucher, and where each member stands towards the next",
    sql: `
      -- A voucher is issued by a sale (its earn entry says so in its detail, which is how HQ learns of it), used
      -- at most once by another sale in that sale's transaction, given back when that sale is refunded whole
      -- (if still valid), withdrawn when the sale that issued it is refunded whole (if still unused)
      -- (src/main/core/vouchers/voucher-book.ts). The open ones are read once at start and kept in memory.
      CREATE TABLE voucher (
        voucher_id TEXT PRIMARY KEY,
        member_id TEXT NOT NULL,
        cents INTEGER NOT NULL CHECK (cents > 0),
        issued_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        issued_by_sale TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'used', 'withdrawn')),
        used_by_sale TEXT,
        used_at INTEGER
      ) STRICT;
      CREATE INDEX voucher_open ON voucher (member_id) WHERE status = 'open';
      CREATE TABLE voucher_progress (
        member_id TEXT PRIMARY KEY,
        visits INTEGER NOT NULL CHECK (visits >= 0),
        points INTEGER NOT NULL CHECK (points >= 0)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 28,
    name: 'relational benefits and the paid membership (issue 14 items 6 and 7): bookings, seats allotted to this store, memberships sold',
    sql: `
      -- A booking of a benefit (a service, a preview, a workshop) by a member, with points (its adjust entries are
      -- the ledger's: benefit-<id> and benefit-cancel-<id>) or by entitlement; its seat is HQ's (chain) or one of the
      -- seats HQ allotted this store for offline use (allotted), reported to HQ once it can hear us
      -- (src/main/core/benefits/benefit-book.ts). One live booking per member and benefit.
      CREATE TABLE benefit_booking (
        booking_id TEXT PRIMARY KEY,
        benefit_id TEXT NOT NULL,
        member_id TEXT NOT NULL,
        via TEXT NOT NULL CHECK (via IN ('points', 'tier', 'membership')),
        points INTEGER NOT NULL CHECK (points >= 0),
        seat TEXT NOT NULL CHECK (seat IN ('chain', 'allotted')),
        reported INTEGER NOT NULL CHECK (reported IN (0, 1)),
        status TEXT NOT NULL CHECK (status IN ('booked', 'cancelled')),
        booked_at INTEGER NOT NULL,
        cancelled_at INTEGER,
        cancel_reported INTEGER NOT NULL DEFAULT 1 CHECK (cancel_reported IN (0, 1))
      ) STRICT;
      CREATE UNIQUE INDEX benefit_booking_live ON benefit_booking (benefit_id, member_id) WHERE status = 'booked';
      CREATE INDEX benefit_booking_by_member ON benefit_booking (member_id);
      -- Seats HQ set aside for this store, still unused: offline, a booking may take only these.
      CREATE TABLE benefit_allotment (
        benefit_id TEXT PRIMARY KEY,
        seats INTEGER NOT NULL CHECK (seats >= 0),
        chain_left INTEGER,
        updated_at INTEGER NOT NULL
      ) STRICT;
      -- A paid membership sold as a basket line: one per member and period (src/main/core/benefits/membership-book.ts).
      CREATE TABLE membership (
        member_id TEXT NOT NULL,
        period_start TEXT NOT NULL,
        period_end TEXT NOT NULL,
        price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
        till_id TEXT NOT NULL,
        receipt TEXT NOT NULL,
        sold_at INTEGER NOT NULL,
        PRIMARY KEY (member_id, period_start)
      ) STRICT;
    `,
  },
  {
    version: 29,
    name: 'referrals and causes (issue 16 items 1 and 4, src/main/core/social/)',
    sql: `
      -- Codes are derived from member ids (social/referral-code.ts); this maps them back, filled as codes are shown or looked for.
      CREATE TABLE social_referral_code (
        code TEXT PRIMARY KEY,
        member_id TEXT NOT NULL UNIQUE
      ) STRICT;
      -- One row per new member who enrolled with a code here; the journal's 'referral' entry is the fact HQ receives.
      -- rewarded_at: when this terminal, standing alone (no HQ), rewarded it; with HQ, HQ decides and the pull brings the points.
      CREATE TABLE social_referral (
        referee_id TEXT PRIMARY KEY,
        referrer_id TEXT NOT NULL,
        code TEXT NOT NULL,
        linked_at INTEGER NOT NULL,
        entry_id TEXT NOT NULL,
        rewarded_at INTEGER
      ) STRICT;
      CREATE INDEX social_referral_by_referrer ON social_referral (referrer_id, linked_at);
      -- Donations made here (the journal's 'donate' entries), for the causes' live counters until HQ's totals include them.
      CREATE TABLE social_donation (
        donation_id TEXT PRIMARY KEY,
        member_id TEXT NOT NULL,
        cause_id TEXT NOT NULL,
        points INTEGER NOT NULL CHECK (points > 0),
        at INTEGER NOT NULL,
        entry_id TEXT NOT NULL
      ) STRICT;
      CREATE INDEX social_donation_by_cause ON social_donation (cause_id, at);
    `,
  },
  {
    version: 30,
    name: 'erasure across the chain (issue 17 item 3): cards blocked, members erased',
    sql: `
      -- A card whose holder was erased (HQ's tombstone, src/main/core/privacy/erasure.ts): a scan of it is refused,
      -- never made a provisional member. No link to anyone: the member's rows are gone.
      CREATE TABLE member_card_blocked (
        card_number TEXT PRIMARY KEY,
        blocked_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      -- Members erased here, by id only (a pseudonym now): a late record of them from HQ is not taken back.
      CREATE TABLE member_erased (
        member_id TEXT PRIMARY KEY,
        erased_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 31,
    name: 'what the paid membership gave back (issue 14 item 7): its bonus points and the benefits booked through it',
    sql: `
      -- One row per gift: a sale's bonus points (ref: the sale's till and receipt), a benefit booked through the
      -- membership (ref: the booking, deleted when it is cancelled). The value-back meter adds them up per period.
      CREATE TABLE membership_value (
        ref TEXT PRIMARY KEY,
        member_id TEXT NOT NULL,
        period_start TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('bonus', 'benefit')),
        points INTEGER NOT NULL CHECK (points >= 0),
        at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX membership_value_by_member ON membership_value (member_id, period_start);
    `,
  },
  {
    version: 32,
    name: 'offers counted for HQ (issue 16 item 3): conversions of accepted offers, and the days whose counts HQ has not taken yet',
    sql: `
      -- A later purchase of what an accepted offer was about (offers/offer-stats.ts says what counts).
      ALTER TABLE offer_contact ADD COLUMN converted_at INTEGER;
      -- Days (UTC) whose counts changed since HQ last took them, with a version so a change during a send is not lost.
      CREATE TABLE offer_stat_outbox (
        day TEXT PRIMARY KEY,
        version INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE TRIGGER offer_contact_counts_shown AFTER INSERT ON offer_contact BEGIN
        INSERT INTO offer_stat_outbox (day, version)
        VALUES (date(NEW.shown_at / 1000, 'unixepoch'), (SELECT coalesce(max(version), 0) + 1 FROM offer_stat_outbox))
        ON CONFLICT (day) DO UPDATE SET version = excluded.version;
      END;
      CREATE TRIGGER offer_contact_counts_answered AFTER UPDATE OF answer, converted_at ON offer_contact BEGIN
        INSERT INTO offer_stat_outbox (day, version)
        VALUES (date(NEW.shown_at / 1000, 'unixepoch'), (SELECT coalesce(max(version), 0) + 1 FROM offer_stat_outbox))
        ON CONFLICT (day) DO UPDATE SET version = excluded.version;
      END;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = migrations[migrations.length - 1]!.version;
