import type { DiffLine } from './diff';
import type { ProgrammeDocument } from './document';
import type { Problem } from './validate';

/**
 * What HQ's programme API answers (src/hq/programme/programme-routes.ts,
 * docs/hq-api.md « Programme »): written once here for HQ and the console.
 */
export interface VersionSummary {
  version: string;
  /** Epoch ms. */
  effectiveFrom: number;
  publishedAt: number;
  /** `staff:<username>`, `operator-token` or `cli`. */
  publishedBy: string;
  keyId: string;
  /** As of HQ's clock. */
  status: 'past' | 'current' | 'future';
}

export interface PublishedVersion extends VersionSummary {
  document: ProgrammeDocument;
  signature: string;
}

/** GET /v1/programme */
export interface ProgrammeOverview {
  hqTime: number;
  current: VersionSummary | null;
  /** The document in force, or the built-in default before the first publication. */
  document: ProgrammeDocument;
  /** Versions to come, soonest first, with their documents. */
  future: PublishedVersion[];
  /** Every version, the latest effective first. */
  history: VersionSummary[];
}

export interface BasketPreview {
  points: number;
  eligibleCents: number;
  promotions: string[];
  /** The sale's time the points were computed for (epoch ms). */
  at: number;
}

export interface MemberPreview {
  memberId: string;
  tier: string;
  /** null: the member was not in the last ranking (a new member starts in the draft's newMemberTier). */
  position: number | null;
  members: number;
  /** What the member holds now; null when not ranked yet. */
  currentTier: string | null;
}

/** POST /v1/programme/validate */
export interface ValidateAnswer {
  ok: boolean;
  problems: Problem[];
  /** null while the draft has errors. */
  preview: { basket: BasketPreview | null; member: MemberPreview | null; diff: DiffLine[] } | null;
}

/** POST /v1/programme/publish, 200 (a refusal is 422 `{ error: { code: 'programme_invalid', message, problems } }`). */
export interface PublishAnswer {
  version: VersionSummary;
  /** Warnings only (fairness in `warn` mode). */
  problems: Problem[];
}

/** GET /v1/programme/diff */
export interface DiffAnswer {
  from: string;
  to: string;
  lines: DiffLine[];
}
