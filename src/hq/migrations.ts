import type { Sql } from './db';

/**
 * HQ's schema, one list for PGlite and PostgreSQL. Distribution-ready
 * (sync-ledger.md §2.8): every primary or unique key of the raw journal and
 * the streams includes terminal_id, every key of postings, balances, holds,
 * lots and incidents about a member includes customer_id; no serial column is
 * a key; stores, programs and codes are small reference tables. Append-only
 * tables refuse UPDATE and DELETE by trigger (I1).
 */
const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE store (
        store_id text PRIMARY KEY,
        name text NOT NULL,
        created_at bigint NOT NULL
      );

      CREATE TABLE enrol_code (
        code text PRIMARY KEY,
        store_id text NOT NULL,
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        used_at bigint,
        used_by text
      );

      CREATE TABLE terminal (
        terminal_id text PRIMARY KEY,
        store_id text NOT NULL,
        public_key text NOT NULL,
        key_id text NOT NULL,
        app_version text NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'revoked')),
        epoch integer NOT NULL,
        enrolled_at bigint NOT NULL,
        revoked_at bigint,
        last_contact_at bigint,
        head_seq bigint
      );

      CREATE TABLE terminal_stream (
        terminal_id text NOT NULL,
        epoch integer NOT NULL,
        genesis_hash text NOT NULL,
        key_id text NOT NULL,
        last_seq bigint NOT NULL DEFAULT 0,
        last_hash text NOT NULL,
        applied_through_seq bigint NOT NULL DEFAULT 0,
        status text NOT NULL CHECK (status IN ('active', 'frozen')),
        frozen_reason text,
        frozen_at bigint,
        skew_ms bigint,
        opened_at bigint NOT NULL,
        PRIMARY KEY (terminal_id, epoch)
      );

      CREATE TABLE journal_entry (
        terminal_id text NOT NULL,
        epoch integer NOT NULL,
        seq bigint NOT NULL,
        entry_id text NOT NULL,
        group_id text NOT NULL,
        kind text NOT NULL,
        schema_version integer NOT NULL,
        member_id text,
        wall_time bigint NOT NULL,
        offline boolean NOT NULL,
        entry jsonb NOT NULL,
        prev_hash text NOT NULL,
        entry_hash text NOT NULL,
        ingested_at bigint NOT NULL,
        PRIMARY KEY (terminal_id, epoch, seq),
        UNIQUE (terminal_id, entry_id)
      );

      CREATE TABLE push_receipt (
        terminal_id text NOT NULL,
        epoch integer NOT NULL,
        through_seq bigint NOT NULL,
        receipt jsonb NOT NULL,
        PRIMARY KEY (terminal_id, epoch, through_seq)
      );

      CREATE TABLE posting (
        customer_id text NOT NULL,
        entry_id text NOT NULL,
        leg integer NOT NULL,
        account text NOT NULL,
        delta bigint NOT NULL,
        kind text NOT NULL,
        origin text NOT NULL,
        terminal_id text,
        epoch integer,
        seq bigint,
        posted_at bigint NOT NULL,
        PRIMARY KEY (customer_id, entry_id, leg)
      );

      CREATE TABLE account_balance (
        customer_id text NOT NULL,
        account text NOT NULL,
        balance bigint NOT NULL,
        PRIMARY KEY (customer_id, account)
      );

      CREATE TABLE lot (
        customer_id text NOT NULL,
        lot_id text NOT NULL,
        points bigint NOT NULL,
        remaining bigint NOT NULL CHECK (remaining >= 0),
        expires_on text NOT NULL,
        expires_at bigint NOT NULL,
        opened_at bigint NOT NULL,
        PRIMARY KEY (customer_id, lot_id)
      );

      CREATE TABLE hold (
        customer_id text NOT NULL,
        hold_id text NOT NULL,
        terminal_id text NOT NULL,
        points bigint NOT NULL CHECK (points > 0),
        status text NOT NULL CHECK (status IN ('pending', 'posted', 'voided', 'released')),
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        resolved_at bigint,
        PRIMARY KEY (customer_id, hold_id)
      );

      CREATE TABLE member (
        customer_id text PRIMARY KEY,
        record jsonb,
        change_version bigint NOT NULL
      );

      CREATE TABLE member_store (
        customer_id text NOT NULL,
        store_id text NOT NULL,
        linked_version bigint NOT NULL,
        PRIMARY KEY (customer_id, store_id)
      );

      CREATE TABLE program (
        program_id text PRIMARY KEY,
        version text NOT NULL,
        rules jsonb NOT NULL,
        change_version bigint NOT NULL
      );

      CREATE TABLE allowance (
        terminal_id text PRIMARY KEY,
        allowance jsonb NOT NULL,
        change_version bigint NOT NULL
      );

      -- Pull cookies: one counter, bumped under its row lock by every transaction
      -- that changes pullable data, so a version is visible only once all lower ones are.
      CREATE TABLE change_counter (
        name text PRIMARY KEY,
        value bigint NOT NULL
      );
      INSERT INTO change_counter (name, value) VALUES ('pull', 0);

      CREATE TABLE incident (
        customer_id text NOT NULL,
        incident_id text NOT NULL,
        terminal_id text,
        kind text NOT NULL,
        entry_id text,
        detail jsonb NOT NULL,
        status text NOT NULL DEFAULT 'open',
        created_at bigint NOT NULL,
        PRIMARY KEY (customer_id, incident_id)
      );

      CREATE TABLE audit (
        terminal_id text NOT NULL,
        audit_id text NOT NULL,
        at bigint NOT NULL,
        action text NOT NULL,
        code text NOT NULL,
        message text NOT NULL,
        detail jsonb NOT NULL,
        PRIMARY KEY (terminal_id, audit_id)
      );
      CREATE INDEX audit_by_time ON audit (at);

      CREATE FUNCTION hq_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
      END $$;
      CREATE TRIGGER journal_entry_append_only BEFORE UPDATE OR DELETE ON journal_entry FOR EACH ROW EXECUTE FUNCTION hq_append_only();
      CREATE TRIGGER posting_append_only BEFORE UPDATE OR DELETE ON posting FOR EACH ROW EXECUTE FUNCTION hq_append_only();
      CREATE TRIGGER push_receipt_append_only BEFORE UPDATE OR DELETE ON push_receipt FOR EACH ROW EXECUTE FUNCTION hq_append_only();
      CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION hq_append_only();
    `,
  },
  {
    version: 2,
    sql: `
      -- Member records as terminals sent them (member-intake.ts): who sent each first, and a hash of
      -- what HQ holds, so a resend is recognised as such.
      CREATE TABLE member_intake (
        customer_id text PRIMARY KEY,
        terminal_id text NOT NULL,
        store_id text NOT NULL,
        record_hash text NOT NULL,
        received_at bigint NOT NULL,
        updated_at bigint NOT NULL
      );

      -- The consent history, append-only, each choice with the wording the customer was shown.
      CREATE TABLE member_consent (
        customer_id text NOT NULL,
        purpose text NOT NULL CHECK (purpose IN ('marketing', 'personalisedOffers', 'profiling')),
        recorded_at bigint NOT NULL,
        granted boolean NOT NULL,
        wording_version text NOT NULL,
        source text NOT NULL,
        terminal_id text NOT NULL,
        PRIMARY KEY (customer_id, purpose, recorded_at)
      );
      CREATE TRIGGER member_consent_append_only BEFORE UPDATE OR DELETE ON member_consent FOR EACH ROW EXECUTE FUNCTION hq_append_only();

      -- Which customer holds a card: the first to claim it keeps it; a second claim is an incident.
      -- A lookup keyed by the card (a reference-style table when distributed).
      CREATE TABLE member_card (
        card_number text PRIMARY KEY,
        customer_id text NOT NULL,
        terminal_id text NOT NULL,
        claimed_at bigint NOT NULL
      );
      CREATE INDEX member_card_by_customer ON member_card (customer_id);

      -- Cards earned on offline by terminals that did not know them (card-link.ts). linked_to is the
      -- customer the card turned out to belong to; moved_points what has been moved there so far.
      CREATE TABLE provisional_card (
        provisional_id text PRIMARY KEY,
        card_number text NOT NULL,
        terminal_id text NOT NULL,
        store_id text NOT NULL,
        created_at bigint NOT NULL,
        received_at bigint NOT NULL,
        linked_to text,
        linked_at bigint,
        moved_points bigint NOT NULL DEFAULT 0 CHECK (moved_points >= 0)
      );
      CREATE INDEX provisional_card_by_card ON provisional_card (card_number);
      CREATE INDEX provisional_card_linked ON provisional_card (provisional_id) WHERE linked_to IS NOT NULL;
    `,
  },
  {
    version: 3,
    // HQ's expiry is provisional (sync-ledger.md §2.7): what it expired of a lot and has not given
    // back to an offline redemption made while the lot was still valid.
    sql: `ALTER TABLE lot ADD COLUMN expired bigint NOT NULL DEFAULT 0 CHECK (expired >= 0);`,
  },
  {
    version: 4,
    // HQ staff (staff/accounts.ts, staff/sessions.ts): one role per account; a session row holds only the
    // SHA-256 of its cookie token, so a copy of the database opens no session.
    sql: `
      CREATE TABLE staff_account (
        username text PRIMARY KEY,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('it', 'marketing', 'service', 'admin')),
        disabled boolean NOT NULL DEFAULT false,
        created_at bigint NOT NULL,
        password_set_at bigint NOT NULL,
        disabled_at bigint
      );

      CREATE TABLE staff_session (
        token_hash text PRIMARY KEY,
        username text NOT NULL REFERENCES staff_account (username),
        created_at bigint NOT NULL,
        last_seen_at bigint NOT NULL,
        expires_at bigint NOT NULL
      );
      CREATE INDEX staff_session_by_username ON staff_session (username);
    `,
  },
  {
    version: 5,
    // An enrolment code names the one terminal it enrols (enrolment.ts); `replace` is IT's explicit « remplacer
    // le terminal »: only such a code re-enrols a terminal HQ already knows. Codes made before name no terminal
    // and enrol nothing. request_nonce: the nonces of signed requests HQ took, kept for twice the freshness
    // window (request-freshness.ts), so a replay is refused even across an HQ restart.
    sql: `
      ALTER TABLE enrol_code ADD COLUMN terminal_id text;
      ALTER TABLE enrol_code ADD COLUMN replace boolean NOT NULL DEFAULT false;

      CREATE TABLE request_nonce (
        terminal_id text NOT NULL,
        nonce text NOT NULL,
        expires_at bigint NOT NULL,
        PRIMARY KEY (terminal_id, nonce)
      );
      CREATE INDEX request_nonce_by_expiry ON request_nonce (expires_at);
    `,
  },
  {
    version: 6,
    // Customer incidents (docs/relationship.md) are not HQ's technical sync anomalies (overdrafts, frozen
    // streams, card conflicts, clock skew): the old `incident` table becomes `sync_anomaly`, and the
    // customers' incidents get their own tables. customer_incident_fact: one row per incident entry of any
    // stream, what stores pull (customer-incidents.ts); customer_incident: each incident as it stands.
    // store_goodwill: the goodwill budget HQ sets per store, sent in the store bucket.
    sql: `
      ALTER TABLE incident RENAME TO sync_anomaly;
      ALTER TABLE sync_anomaly RENAME COLUMN incident_id TO anomaly_id;

      CREATE TABLE customer_incident_fact (
        customer_id text NOT NULL,
        entry_id text NOT NULL,
        incident_id text NOT NULL,
        terminal_id text NOT NULL,
        store_id text NOT NULL,
        fact jsonb NOT NULL,
        -- A resolve's gesture, as the entry has it; null for other facts.
        gesture jsonb,
        at bigint NOT NULL,
        PRIMARY KEY (customer_id, entry_id)
      );
      CREATE INDEX customer_incident_fact_by_incident ON customer_incident_fact (customer_id, incident_id);
      -- A member's visits of the last 12 months, sent with their incidents (the tolerance grows with them).
      CREATE INDEX journal_entry_earn_by_member ON journal_entry (member_id, wall_time) WHERE kind = 'earn';

      CREATE TABLE customer_incident (
        customer_id text NOT NULL,
        incident_id text NOT NULL,
        store_id text NOT NULL,
        terminal_id text NOT NULL,
        kind text NOT NULL,
        severity integer NOT NULL,
        channel text NOT NULL,
        receipt text,
        opened_at bigint NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'resolved')),
        outcome text,
        gesture jsonb,
        resolved_at bigint,
        PRIMARY KEY (customer_id, incident_id)
      );
      CREATE INDEX customer_incident_by_store ON customer_incident (store_id, opened_at);

      CREATE TABLE store_goodwill (
        store_id text PRIMARY KEY,
        period text NOT NULL CHECK (period IN ('day', 'week', 'month')),
        budget_cents bigint NOT NULL CHECK (budget_cents >= 0),
        cashier_limit_cents bigint NOT NULL CHECK (cashier_limit_cents >= 0),
        change_version bigint NOT NULL
      );
    `,
  },
  {
    version: 7,
    // Customer value (docs/value.md, src/hq/value/nightly.ts): one row per fit run with its parameters and the
    // aggregates over every customer; one current row per member who agreed to profiling (nobody else gets one);
    // segment sizes per run (every customer) and flows between runs (scored members). member_value_removed: the
    // members whose row a run dropped (consent withdrawn), so pull can delete their hint at the terminals.
    sql: `
      CREATE TABLE value_run (
        run_id text PRIMARY KEY,
        -- 1, 2, 3…: the order runs ended in (two runs can share a millisecond).
        run_no bigint NOT NULL,
        started_at bigint NOT NULL,
        finished_at bigint NOT NULL,
        trigger text NOT NULL CHECK (trigger IN ('nightly', 'manual', 'startup')),
        as_of text NOT NULL,
        status text NOT NULL CHECK (status IN ('ok', 'not_converged', 'too_few')),
        message text,
        config jsonb NOT NULL,
        params jsonb,
        customers integer NOT NULL,
        scored integer NOT NULL,
        aggregates jsonb
      );
      CREATE INDEX value_run_by_no ON value_run (run_no);

      CREATE TABLE member_value (
        customer_id text PRIMARY KEY,
        run_id text NOT NULL,
        as_of text NOT NULL,
        repeat_visits integer NOT NULL,
        first_visit text NOT NULL,
        last_visit text NOT NULL,
        p_alive float8 NOT NULL,
        expected_visits float8 NOT NULL,
        expected_spend float8 NOT NULL,
        value float8 NOT NULL,
        segment text NOT NULL CHECK (segment IN ('most_valued', 'growing', 'steady', 'at_risk', 'lapsed')),
        previous_segment text,
        change_version bigint NOT NULL
      );
      CREATE INDEX member_value_by_segment ON member_value (segment, value DESC);

      CREATE TABLE member_value_removed (
        customer_id text PRIMARY KEY,
        change_version bigint NOT NULL
      );

      CREATE TABLE value_segment_count (
        run_id text NOT NULL,
        as_of text NOT NULL,
        segment text NOT NULL,
        customers integer NOT NULL,
        scored integer NOT NULL,
        PRIMARY KEY (run_id, segment)
      );

      CREATE TABLE value_segment_flow (
        run_id text NOT NULL,
        from_segment text NOT NULL,
        to_segment text NOT NULL,
        members integer NOT NULL,
        PRIMARY KEY (run_id, from_segment, to_segment)
      );
    `,
  },
  {
    version: 8,
    // Sync anomalies are handled by IT staff in HQ's console (sync-anomalies.ts): who and when, on the row.
    sql: `
      ALTER TABLE sync_anomaly ADD COLUMN handled_at bigint;
      ALTER TABLE sync_anomaly ADD COLUMN handled_by text;
      CREATE INDEX sync_anomaly_by_status ON sync_anomaly (status, created_at);
      CREATE INDEX sync_anomaly_by_terminal ON sync_anomaly (terminal_id) WHERE status = 'open';
    `,
  },
  {
    version: 9,
    // Releases of the terminal application and their staged rollout (src/hq/updates, issue 13).
    sql: `
      CREATE TABLE app_release (
        version text PRIMARY KEY,
        channel text NOT NULL CHECK (channel IN ('stable', 'pilot')),
        file_name text NOT NULL,
        sha512 text NOT NULL,
        size bigint NOT NULL,
        allow_downgrade boolean NOT NULL,
        published_at bigint NOT NULL,
        key_id text NOT NULL,
        signature text NOT NULL,
        blob text NOT NULL,
        notes text NOT NULL,
        published_by text NOT NULL
      );

      CREATE TABLE store_cohort (
        store_id text PRIMARY KEY,
        cohort text NOT NULL,
        updated_at bigint NOT NULL
      );

      CREATE TABLE store_update_window (
        store_id text PRIMARY KEY,
        start_hhmm text NOT NULL,
        end_hhmm text NOT NULL,
        time_zone text NOT NULL,
        updated_at bigint NOT NULL
      );

      CREATE TABLE rollout (
        rollout_id text PRIMARY KEY,
        version text NOT NULL REFERENCES app_release (version),
        stores text[] NOT NULL,
        cohorts text[] NOT NULL,
        percent integer NOT NULL CHECK (percent BETWEEN 0 AND 100),
        status text NOT NULL CHECK (status IN ('active', 'paused')),
        -- The newest rollout reaching a terminal gives its target: an order that never ties, whatever the clock says.
        rank bigint NOT NULL UNIQUE,
        created_at bigint NOT NULL,
        created_by text NOT NULL,
        updated_at bigint NOT NULL
      );
      CREATE INDEX rollout_by_status ON rollout (status, rank);

      -- A terminal a rollout offered its release to keeps it while the rollout is paused.
      CREATE TABLE rollout_offer (
        terminal_id text NOT NULL,
        rollout_id text NOT NULL,
        offered_at bigint NOT NULL,
        PRIMARY KEY (terminal_id, rollout_id)
      );

      CREATE TABLE update_setting (
        name text PRIMARY KEY,
        value text NOT NULL,
        updated_at bigint NOT NULL
      );

      CREATE TABLE terminal_update_status (
        terminal_id text PRIMARY KEY,
        app_version text NOT NULL,
        build text NOT NULL,
        state text NOT NULL,
        target_version text,
        progress_percent float8,
        waiting_for jsonb NOT NULL,
        last_error jsonb,
        reported_at bigint NOT NULL
      );

      CREATE TABLE terminal_update_history (
        terminal_id text NOT NULL,
        report_id text NOT NULL,
        at bigint NOT NULL,
        report jsonb NOT NULL,
        PRIMARY KEY (terminal_id, report_id)
      );
      CREATE INDEX terminal_update_history_by_time ON terminal_update_history (terminal_id, at);
    `,
  },
  {
    version: 10,
    // Tiers by rank (src/hq/programme/ranking.ts, issue 14): each member's tier as of the last nightly ranking,
    // keyed by customer_id; the runs and their counts per tier are small reference tables.
    sql: `
      CREATE TABLE member_tier (
        customer_id text PRIMARY KEY,
        tier text NOT NULL,
        rank_tier text NOT NULL,
        previous_tier text,
        member_rank bigint NOT NULL,
        score bigint NOT NULL,
        spend_cents bigint NOT NULL,
        regular_weeks integer NOT NULL,
        below_runs integer NOT NULL,
        next_tier_gap_cents bigint,
        tier_since bigint NOT NULL,
        ranked_at bigint NOT NULL,
        run_id text NOT NULL
      -- Every run rewrites every row: room on each page for the new version lets PostgreSQL update it there
      -- without a new index entry (HOT), which halves the nightly run (bench/programme.ts).
      ) WITH (fillfactor = 45);

      CREATE TABLE tier_run (
        run_id text PRIMARY KEY,
        run_no bigint NOT NULL,
        started_at bigint NOT NULL,
        finished_at bigint NOT NULL,
        trigger text NOT NULL CHECK (trigger IN ('nightly', 'manual')),
        as_of text NOT NULL,
        first_run boolean NOT NULL,
        members integer NOT NULL,
        policy jsonb NOT NULL
      );
      CREATE INDEX tier_run_by_no ON tier_run (run_no);

      CREATE TABLE tier_run_count (
        run_id text NOT NULL,
        tier text NOT NULL,
        position integer NOT NULL,
        members integer NOT NULL,
        held_by_margin integer NOT NULL,
        moved_in integer NOT NULL,
        PRIMARY KEY (run_id, tier)
      );
    `,
  },
  {
    version: 11,
    // The product catalogue (src/hq/products, issue 14 item 2): one row per SKU, pulled by terminals in the program
    // bucket by change_version. A product missing from the last import is withdrawn, never deleted: old sales name it.
    sql: `
      CREATE TABLE product (
        sku text PRIMARY KEY,
        label text NOT NULL,
        category text NOT NULL,
        eans jsonb NOT NULL,
        vat_rate_bp integer NOT NULL,
        price_cents bigint NOT NULL,
        withdrawn boolean NOT NULL,
        updated_at bigint NOT NULL,
        change_version bigint NOT NULL
      );
      CREATE INDEX product_by_change ON product (change_version);

      CREATE TABLE product_import (
        import_id text PRIMARY KEY,
        at bigint NOT NULL,
        by_whom text NOT NULL,
        rows integer NOT NULL,
        added integer NOT NULL,
        changed integer NOT NULL,
        withdrawn integer NOT NULL
      );
    `,
  },
  {
    version: 12,
    // Tiers in the pull (issue 14 item 3, src/hq/programme/tier-pull.ts): each ranking takes one pull change version
    // when it commits, and a store's terminals get the tiers of the runs after their cookie. Per run, not per row:
    // every run moves nearly every member's gap, and a per-row version would cost the nightly update its HOT path.
    sql: `
      ALTER TABLE tier_run ADD COLUMN change_version bigint NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 13,
    // The programme's versions (issue 14 item 1, src/hq/programme/programme-store.ts): each published document, signed
    // by HQ, in force from effective_from (epoch ms) until the next one's. Never updated: a new version is a new row.
    // change_version is the pull's: terminals get the versions published after their cookie that are in force or to come.
    sql: `
      CREATE TABLE programme_version (
        version text PRIMARY KEY,
        document jsonb NOT NULL,
        effective_from bigint NOT NULL UNIQUE,
        published_at bigint NOT NULL,
        published_by text NOT NULL,
        key_id text NOT NULL,
        signature text NOT NULL,
        change_version bigint NOT NULL
      );
      CREATE INDEX programme_version_by_change ON programme_version (change_version);
    `,
  },
  {
    version: 14,
    // Relational benefits' seats (issue 14 item 6, src/hq/benefits/seats.ts): one counter per benefit (seats booked plus
    // seats allotted to stores and not yet used), taken under its row lock so the programme's capacity is never passed
    // chain-wide; each booking a terminal made, and what each store holds for offline bookings.
    sql: `
      CREATE TABLE benefit_counter (
        benefit_id text PRIMARY KEY,
        taken integer NOT NULL CHECK (taken >= 0)
      );
      CREATE TABLE benefit_seat (
        booking_id text PRIMARY KEY,
        benefit_id text NOT NULL,
        store_id text NOT NULL,
        terminal_id text NOT NULL,
        customer_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('booked', 'cancelled')),
        from_allotment boolean NOT NULL,
        booked_at bigint NOT NULL,
        cancelled_at bigint
      );
      CREATE INDEX benefit_seat_by_benefit ON benefit_seat (benefit_id, store_id) WHERE status = 'booked';
      CREATE TABLE benefit_allotment (
        benefit_id text NOT NULL,
        store_id text NOT NULL,
        seats integer NOT NULL CHECK (seats >= 0),
        updated_at bigint NOT NULL,
        PRIMARY KEY (benefit_id, store_id)
      );
    `,
  },
  {
    version: 15,
    // Self-service privacy (issue 17 item 2, src/hq/privacy-self/): one-time codes (their hash only), the wrong tries
    // and cool-down per member, the short sessions a proven customer acts under, export links (hash only: the archive
    // is built when the link is opened, never stored), and the development outbox of the codes sent.
    sql: `
      CREATE TABLE privacy_challenge (
        challenge_id text PRIMARY KEY,
        customer_id text NOT NULL,
        terminal_id text NOT NULL,
        channel text NOT NULL CHECK (channel IN ('email', 'sms')),
        code_hash text NOT NULL,
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        done_at bigint
      );
      CREATE INDEX privacy_challenge_by_customer ON privacy_challenge (customer_id, created_at);
      CREATE TABLE privacy_guard (
        customer_id text PRIMARY KEY,
        wrong_tries integer NOT NULL,
        locked_until bigint NOT NULL
      );
      CREATE TABLE privacy_session (
        token_hash text PRIMARY KEY,
        customer_id text NOT NULL,
        terminal_id text NOT NULL,
        expires_at bigint NOT NULL
      );
      CREATE TABLE privacy_export_link (
        token_hash text PRIMARY KEY,
        customer_id text NOT NULL,
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        used_at bigint
      );
      CREATE TABLE privacy_outbox (
        message_id text PRIMARY KEY,
        customer_id text NOT NULL,
        at bigint NOT NULL,
        channel text NOT NULL,
        destination text NOT NULL,
        body text NOT NULL
      );
    `,
  },
  {
    version: 16,
    // Consents, erasure, retention and HQ's privacy audit (issue 17 items 1, 3, 4, 6; src/hq/privacy/).
    // member_consent_version: the pull version a member's consent history last changed (a terminal's change, an
    // erasure), so the store's other terminals get it. member_erasure: who was erased (the id alone, a pseudonym now)
    // and the pull version of the tombstone every terminal gets. erasure_receipt: the request's receipt, no personal
    // data. privacy_audit: every view, rectification, export and erasure at HQ, traceable by request id; append-only.
    // retention_notice: the notice sent before an inactive member is anonymised; privacy_notice_outbox: the
    // development sender's log (personal data: a member's rows go with them).
    sql: `
      CREATE TABLE member_consent_version (
        customer_id text PRIMARY KEY,
        change_version bigint NOT NULL
      );
      CREATE INDEX member_consent_version_by_change ON member_consent_version (change_version);

      CREATE TABLE member_erasure (
        customer_id text PRIMARY KEY,
        receipt_id text NOT NULL UNIQUE,
        erased_at bigint NOT NULL,
        cause text NOT NULL CHECK (cause IN ('request', 'retention')),
        change_version bigint NOT NULL
      );
      CREATE INDEX member_erasure_by_change ON member_erasure (change_version);

      CREATE TABLE erasure_receipt (
        receipt_id text PRIMARY KEY,
        requested_at bigint NOT NULL,
        completed_at bigint NOT NULL,
        cause text NOT NULL CHECK (cause IN ('request', 'retention')),
        channel text NOT NULL,
        handled_by text NOT NULL,
        points_forfeited bigint NOT NULL,
        cards_blocked integer NOT NULL
      );
      CREATE TRIGGER erasure_receipt_append_only BEFORE UPDATE OR DELETE ON erasure_receipt FOR EACH ROW EXECUTE FUNCTION hq_append_only();

      CREATE TABLE privacy_audit (
        customer_id text NOT NULL,
        audit_id text NOT NULL,
        at bigint NOT NULL,
        actor text NOT NULL,
        actor_role text NOT NULL,
        action text NOT NULL,
        request_id text,
        detail jsonb NOT NULL,
        PRIMARY KEY (customer_id, audit_id)
      );
      CREATE INDEX privacy_audit_by_time ON privacy_audit (at);
      CREATE INDEX privacy_audit_by_request ON privacy_audit (request_id) WHERE request_id IS NOT NULL;
      CREATE TRIGGER privacy_audit_append_only BEFORE UPDATE OR DELETE ON privacy_audit FOR EACH ROW EXECUTE FUNCTION hq_append_only();

      CREATE TABLE retention_notice (
        customer_id text PRIMARY KEY,
        last_activity_at bigint NOT NULL,
        noticed_at bigint NOT NULL,
        channel text
      );

      CREATE TABLE privacy_notice_outbox (
        message_id text PRIMARY KEY,
        customer_id text NOT NULL,
        at bigint NOT NULL,
        channel text NOT NULL,
        destination text NOT NULL,
        body text NOT NULL
      );
      CREATE INDEX privacy_notice_outbox_by_customer ON privacy_notice_outbox (customer_id);
    `,
  },
  {
    version: 17,
    // Referrals and causes (issue 16 items 1 and 4, src/hq/social/). A referral is filed from the terminal's 'referral'
    // entry, the first for a referee winning; HQ rewards it on the referee's first qualifying purchase from any store
    // (status 'rewarded'), or files it 'capped' past the referrer's monthly cap. Causes are HQ's; their totals move with
    // each 'donate' entry ingested, and change_version brings them to terminals in the pull's program bucket.
    sql: `
      CREATE TABLE social_referral (
        referee_id text PRIMARY KEY,
        referrer_id text NOT NULL,
        code text NOT NULL,
        linked_at bigint NOT NULL,
        terminal_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'rewarded', 'capped')),
        rewarded_at bigint,
        sale_entry_id text
      );
      CREATE INDEX social_referral_by_referrer ON social_referral (referrer_id, linked_at);
      CREATE TABLE social_cause (
        cause_id text PRIMARY KEY,
        name text NOT NULL,
        description text NOT NULL,
        image_url text,
        goal_points bigint NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'closed')),
        total_points bigint NOT NULL DEFAULT 0,
        donations bigint NOT NULL DEFAULT 0,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        change_version bigint NOT NULL
      );
      CREATE INDEX social_cause_by_change ON social_cause (change_version);
    `,
  },
  {
    version: 18,
    // Offers counted by the terminals (issue 16 item 3, src/hq/offers/offer-stats.ts): per terminal, day and rule,
    // absolute counts that a resend replaces; no person in them.
    sql: `
      CREATE TABLE offer_stat (
        terminal_id text NOT NULL,
        day text NOT NULL,
        rule_id text NOT NULL,
        shown integer NOT NULL,
        accepted integer NOT NULL,
        refused integer NOT NULL,
        converted integer NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (terminal_id, day, rule_id)
      );
      CREATE INDEX offer_stat_by_day ON offer_stat (day);
    `,
  },
];

export async function migrate(sql: Sql, now: number): Promise<number> {
  await sql.exec('CREATE TABLE IF NOT EXISTS schema_migration (version integer PRIMARY KEY, applied_at bigint NOT NULL)');
  return sql.transaction(async (tx) => {
    // Two HQ processes starting on one server must not both migrate.
    if (tx.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(4242001)');
    const rows = await tx.query<{ version: number }>('SELECT version FROM schema_migration');
    const done = new Set(rows.map((r) => r.version));
    let applied = 0;
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migration (version, applied_at) VALUES ($1, $2)', [m.version, now]);
      applied += 1;
    }
    return applied;
  });
}

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
