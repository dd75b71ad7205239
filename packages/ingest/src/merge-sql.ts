/**
 * SQL that moves a staged file into the store, inside the ingest transaction.
 * $1 submission id, $2 agency id, $3 feed.
 */

export const STAGING_COLUMNS = [
  'row_number',
  'kind',
  'source_ref',
  'source_category',
  'category',
  'occurred_month',
  'occurred_at',
  'location_text',
  'lsoa_code',
  'lsoa_name',
  'ward_name',
  'latitude',
  'longitude',
  'outcome',
  'tier',
  'attributes',
  'restricted_text',
  'reject_column',
  'reject_value',
  'reject_reason',
  'reject_message',
] as const;

export const CREATE_STAGING = `
  create temp table ingest_staging (
    row_number int not null,
    kind "char" not null,
    source_ref text,
    source_category text,
    category text,
    occurred_month date,
    occurred_at timestamptz,
    location_text text,
    lsoa_code text,
    lsoa_name text,
    ward_name text,
    latitude double precision,
    longitude double precision,
    outcome text,
    tier text,
    attributes jsonb,
    restricted_text text,
    reject_column text,
    reject_value text,
    reject_reason text,
    reject_message text
  ) on commit drop`;

export const COPY_STAGING = `copy ingest_staging (${STAGING_COLUMNS.join(', ')}) from stdin`;

/**
 * Rows without a source id get a key from their content plus their ordinal
 * among identical rows in the file, so the same file always yields the same
 * keys and a republished month updates rather than duplicates (ADR 0004).
 */
const HASHED_KEYS = `
  hashed as (
    select x.row_number, 'h:' || x.h || ':' || row_number() over (partition by x.h order by x.row_number) as natural_key
    from (
      select row_number,
             md5(format('%s|%s|%s|%s|%s|%s|%s',
               occurred_month, coalesce(occurred_at::text, ''), source_category,
               coalesce(round(latitude::numeric, 6)::text, ''), coalesce(round(longitude::numeric, 6)::text, ''),
               coalesce(location_text, ''), coalesce(restricted_text, ''))) as h
      from ingest_staging
      where kind = 'i' and source_ref is null
    ) x
  )`;

/**
 * Area assignment: the source LSOA through the 2011 lookup; a 2021 LSOA the
 * lookup lacks by its name's district; otherwise the nearest LSOA population-
 * weighted centroid within ~5 km; otherwise an ONS ward code the adapter put in
 * attributes.wardCode; otherwise a ward name that is unique.
 */
const PLACED = `
  placed as (
    select s.*, coalesce(s.source_ref, hashed.natural_key) as natural_key,
      la.code as l_code, la.ward_code as l_ward, la.lad_code as l_lad,
      ln.code as n_lad,
      nc.code as c_code, nc.ward_code as c_ward, nc.lad_code as c_lad,
      wc.code as k_code, wc.lad_code as k_lad,
      wn.code as w_code, wn.lad_code as w_lad
    from ingest_staging s
    left join hashed on hashed.row_number = s.row_number and s.source_ref is null
    left join area la on la.code = s.lsoa_code and la.kind = 'lsoa'
    left join area ln on la.code is null and s.lsoa_code is not null and s.lsoa_name is not null
      and ln.kind = 'district' and ln.name = regexp_replace(s.lsoa_name, '\\s+[0-9]{3}[A-Z]$', '')
    left join lateral (
      select t.code, t.ward_code, t.lad_code from (
        select a.code, a.ward_code, a.lad_code,
               point(a.longitude * 0.62, a.latitude) <-> point(s.longitude * 0.62, s.latitude) as d
        from area a
        where s.lsoa_code is null and s.latitude is not null and a.kind = 'lsoa' and a.longitude is not null
        order by point(a.longitude * 0.62, a.latitude) <-> point(s.longitude * 0.62, s.latitude)
        limit 1
      ) t where t.d < 0.05
    ) nc on true
    left join area wc on s.lsoa_code is null and s.latitude is null and s.attributes->>'wardCode' is not null
      and wc.kind = 'ward' and wc.code = s.attributes->>'wardCode'
    left join lateral (
      select min(w.code) as code, min(w.lad_code) as lad_code
      from area w
      where s.lsoa_code is null and s.latitude is null and s.ward_name is not null
        and w.kind = 'ward' and upper(w.name) = upper(s.ward_name) and s.attributes->>'wardCode' is null
      having count(*) = 1
    ) wn on true
    where s.kind = 'i'
  )`;

export const MERGE_INCIDENTS = `
  with ${HASHED_KEYS}, ${PLACED},
  merged as (
    insert into incident as i (
      submission_id, agency_id, feed, source_ref, natural_key, source_category, category,
      occurred_month, occurred_at, location_text, lsoa_code, ward_code, lad_code, area_method,
      latitude, longitude, outcome, tier, attributes, restricted_text)
    select $1, $2, $3, p.source_ref, p.natural_key, p.source_category, p.category,
      p.occurred_month, p.occurred_at, p.location_text,
      coalesce(p.lsoa_code, p.c_code),
      coalesce(p.l_ward, p.c_ward, p.k_code, p.w_code),
      coalesce(p.l_lad, p.n_lad, p.c_lad, p.k_lad, p.w_lad),
      case when p.l_code is not null then 'source'
           when p.n_lad is not null then 'lsoa-name'
           when p.c_code is not null then 'nearest-centroid'
           when p.k_code is not null then 'ward-code'
           when p.w_code is not null then 'ward-name'
           else 'none' end,
      p.latitude, p.longitude, p.outcome, p.tier, p.attributes, p.restricted_text
    from placed p
    on conflict (agency_id, feed, natural_key) do update set
      submission_id = excluded.submission_id,
      source_ref = excluded.source_ref,
      source_category = excluded.source_category,
      category = excluded.category,
      occurred_month = excluded.occurred_month,
      occurred_at = excluded.occurred_at,
      location_text = excluded.location_text,
      lsoa_code = excluded.lsoa_code,
      ward_code = excluded.ward_code,
      lad_code = excluded.lad_code,
      area_method = excluded.area_method,
      latitude = excluded.latitude,
      longitude = excluded.longitude,
      outcome = excluded.outcome,
      tier = excluded.tier,
      attributes = excluded.attributes,
      restricted_text = excluded.restricted_text,
      updated_at = now()
    where (i.source_category, i.category, i.occurred_month, i.occurred_at, i.location_text, i.lsoa_code,
           i.ward_code, i.lad_code, i.latitude, i.longitude, i.outcome, i.tier, i.attributes, i.restricted_text)
      is distinct from
          (excluded.source_category, excluded.category, excluded.occurred_month, excluded.occurred_at,
           excluded.location_text, excluded.lsoa_code, excluded.ward_code, excluded.lad_code, excluded.latitude,
           excluded.longitude, excluded.outcome, excluded.tier, excluded.attributes, excluded.restricted_text)
    returning (xmax = 0) as inserted
  )
  select count(*) filter (where inserted)::int as inserted, count(*) filter (where not inserted)::int as updated from merged`;

/** Rows of this file that repeat a source id seen earlier in the same file. */
export const REJECT_DUPLICATE_IDS = `
  with dup as (
    select row_number, source_ref, first_value(row_number) over (partition by source_ref order by row_number) as first_row
    from ingest_staging where kind = 'i' and source_ref is not null
  ), moved as (
    update ingest_staging s set kind = 'r', reject_column = 'id', reject_value = s.source_ref, reject_reason = 'DUPLICATE_ID',
      reject_message = 'repeats the id of row ' || dup.first_row || ' in the same file'
    from dup where dup.row_number = s.row_number and dup.row_number <> dup.first_row
    returning 1
  ) select count(*)::int as n from moved`;

export const STAGED_INCIDENTS = `select count(*)::int as n from ingest_staging where kind = 'i'`;

/**
 * Updates (police outcomes) apply to the named record of the target feed; the
 * latest month wins. $1 submission id, $2 agency id, $3 target feed.
 */
export const APPLY_UPDATES = `
  with latest as (
    select distinct on (source_ref) source_ref, outcome, occurred_month
    from ingest_staging where kind = 'u'
    order by source_ref, occurred_month desc, row_number desc
  ), applied as (
    update incident i set outcome = l.outcome, updated_at = now(),
      attributes = i.attributes || jsonb_build_object('outcomeMonth', to_char(l.occurred_month, 'YYYY-MM'), 'outcomeSubmissionId', $1::bigint)
    from latest l
    where i.agency_id = $2 and i.feed = $3 and i.natural_key = l.source_ref and i.outcome is distinct from l.outcome
    returning 1
  ) select count(*)::int as updated from applied`;

export const REJECT_UNMATCHED_UPDATES = `
  with moved as (
    update ingest_staging s set kind = 'r', reject_column = 'Crime ID', reject_value = s.source_ref, reject_reason = 'UNMATCHED_ID',
      reject_message = 'no record with this id from this agency is stored yet: submit the ' || $2 || ' file for '
        || to_char(s.occurred_month, 'YYYY-MM') || ' first, then this file again'
    where s.kind = 'u' and not exists (
      select 1 from incident i where i.agency_id = $1 and i.feed = $2 and i.natural_key = s.source_ref)
    returning 1
  ) select count(*)::int as n from moved`;

export const STAGED_UPDATES = `select count(*)::int as n from ingest_staging where kind = 'u'`;

export const STORE_REJECTS = `
  insert into ingest_reject (submission_id, row_number, column_name, value, reason, message)
  select $1, row_number, reject_column, reject_value, reject_reason, reject_message
  from ingest_staging where kind = 'r' order by row_number`;
