import type { FeedId } from './feeds';
import type { Priority } from './priorities';
import type { DataTier } from './tiers';

export type AttributeValue = string | number | boolean | null;

/**
 * One source row normalised into the shared incident model. Adapters emit these;
 * ingest stores them. `occurredMonth` is `YYYY-MM`; `occurredAt` is an ISO 8601
 * instant when the source gives a time.
 */
export interface NormalisedIncident {
  kind: 'incident';
  rowNumber: number;
  /** The source system's own id, when it has one. Rows without get a deterministic key at ingest. */
  sourceRef: string | null;
  sourceCategory: string;
  category: Priority;
  occurredMonth: string;
  occurredAt: string | null;
  locationText: string | null;
  lsoaCode: string | null;
  /** LSOA name as the source gives it (used to place 2021 LSOAs the 2011 lookup lacks). */
  lsoaName: string | null;
  /** Ward name as the source gives it, when there is no LSOA or coordinate. */
  wardName: string | null;
  latitude: number | null;
  longitude: number | null;
  outcome: string | null;
  tier: DataTier;
  /** Feed-specific fields (property type, waste type, assault method...). Pseudonymised tier. */
  attributes: Record<string, AttributeValue>;
  /** Free text that must stay with the providing agency until reviewed (e.g. ISTV location description). */
  restrictedText: string | null;
  /**
   * When the source says this row was last changed (ISO 8601 instant), for layouts that carry
   * one (a last-updated or closed-date column). Ingest never lets an older row overwrite a newer one.
   */
  asOf?: string | null;
  /**
   * The organisations the row says it belongs to (data.police.uk "Reported by" and "Falls within"):
   * ingest refuses a file none of whose names is the submitting agency's.
   */
  publisher?: string[] | null;
}

/** An update to an incident already stored (e.g. a police outcome for a crime). */
export interface IncidentUpdate {
  kind: 'update';
  rowNumber: number;
  sourceRef: string;
  outcome: string;
  /** `YYYY-MM` of the update; the latest month wins. */
  month: string;
}

/** A row that could not be accepted, with the reason in words and as a stable code. */
export interface RowReject {
  kind: 'reject';
  rowNumber: number;
  column: string | null;
  value: string | null;
  reason: string;
  message: string;
}

export type AdapterItem = NormalisedIncident | IncidentUpdate | RowReject;

/** What a feed says about the file as a whole (e.g. ISTV reporting period and site). */
export type SubmissionHeader = Record<string, string>;

export interface FeedDescription {
  feed: FeedId;
  formats: ReadonlyArray<'csv' | 'json' | 'xml'>;
  /** Columns a CSV must carry (matched case-sensitively after trimming, in any order). */
  requiredColumns: readonly string[];
  optionalColumns: readonly string[];
  defaultEncoding: 'utf-8' | 'auto';
}
