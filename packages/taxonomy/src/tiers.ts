/**
 * Data tiers, least to most sensitive. A record's tier says what it contains;
 * an ISP agreement grants a recipient a tier per provider and dataset.
 *  - public: already published openly (e.g. data.police.uk street-level crime)
 *  - aggregate: shared only as counts, after disclosure control
 *  - pseudonymised: record-level, no direct identifiers
 *  - personal: record-level with personal data
 */
export const DATA_TIERS = ['public', 'aggregate', 'pseudonymised', 'personal'] as const;
export type DataTier = (typeof DATA_TIERS)[number];

export function tierRank(tier: DataTier): number {
  return DATA_TIERS.indexOf(tier);
}

/** True when `granted` is at least as permissive as `needed`. */
export function tierCovers(granted: DataTier, needed: DataTier): boolean {
  return tierRank(granted) >= tierRank(needed);
}

export function isDataTier(value: string): value is DataTier {
  return (DATA_TIERS as readonly string[]).includes(value);
}
