/**
 * SQL that moves a staged file into the store, inside the ingest transaction.
 * Unless said otherwise: $1 submission id, $2 agency id, $3 feed.
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
  'as_of',
  'publisher',
  'reject_column',
  'reject_value',
  'reject_reason',
  'reject_message',
] as const;

/** Separates the names in the staged `publisher` column. */
export const PUBLISHER_SEPARATOR = '\u001f';

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
    as_of timestamptz,
    publisher text,
    reject_column text,
    reject_value text,
    reject_reason text,
    reject_message text,
    natural_key text,
    content_hash uuid,
    shared_with int
  ) on commit drop`;

export const COPY_STAGING = `copy ingest_staging (${STAGING_COLUMNS.join(', ')}) from stdin`;

/** Rows that are neither incidents nor updates, by kind: 'i' incident, 'u' update, 'r' reject. */
export const STAGED_KINDS = `select count(*) filter (where kind = 'i')::int as incidents, count(*) filter (where kind = 'u')::int as updates,
  count(*) filter (where kind = 'r')::int as rejects from ingest_staging`;

/**
 * A month after the month of submission cannot have happened yet; nor can an
 * instant more than a day ahead. $1 today (YYYY-MM-DD, Europe/London).
 */
export const REJECT_FUTURE = `
  with moved as (
    update ingest_staging s set kind = 'r',
      reject_column = null,
      reject_value = case when s.occurred_month > date_trunc('month', $1::date) then to_char(s.occurred_month, 'YYYY-MM')
                          when s.occurred_at > $1::date + interval '2 days' then to_char(s.occurred_at at time zone 'Europe/London', 'YYYY-MM-DD HH24:MI')
                          else to_char(s.as_of at time zone 'Europe/London', 'YYYY-MM-DD HH24:MI') end,
      reject_reason = case when s.occurred_month > date_trunc('month', $1::date) then 'FUTURE_MONTH'
                           when s.occurred_at > $1::date + interval '2 days' then 'FUTURE_DATE' else 'FUTURE_AS_OF' end,
      reject_message = case when s.occurred_month > date_trunc('month', $1::date)
                              then 'the month ' || to_char(s.occurred_month, 'YYYY-MM') || ' is after the month of submission (' || to_char($1::date, 'YYYY-MM') || ')'
                            when s.occurred_at > $1::date + interval '2 days'
                              then 'the date is after the date of submission (' || to_char($1::date, 'YYYY-MM-DD') || ')'
                            else 'the row says it was last updated after the date of submission (' || to_char($1::date, 'YYYY-MM-DD') || ')' end
    where s.kind in ('i', 'u') and (s.occurred_month > date_trunc('month', $1::date) or s.occurred_at > $1::date + interval '2 days'
      or s.as_of > $1::date + interval '2 days')
    returning 1
  ) select count(*)::int as n from moved`;

/**
 * The first row that names a publisher which is not the submitting agency's
 * force. $1 the agency's publishing name.
 */
export const FOREIGN_PUBLISHER = `
  select row_number, publisher from ingest_staging
  where kind = 'i' and publisher is not null
    and not (upper(trim($1::text)) = any(select upper(trim(p)) from unnest(string_to_array(publisher, chr(31))) p))
  order by row_number limit 1`;

/** What the source said about a row, as one text: the content hash and the twin ordinal work on it. */
/**
 * The instant as text in UTC whatever the session's TimeZone, so a key never
 * depends on the server's or a pooler's setting; the text is what a UTC
 * session prints for `occurred_at::text`, which keys stored so far were made of.
 */
const OCCURRED_AT = `coalesce((occurred_at at time zone 'UTC')::text || '+00', '')`;

const CONTENT = `format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s',
  occurred_month, ${OCCURRED_AT}, source_category, coalesce(category, ''),
  coalesce(round(latitude::numeric, 6)::text, ''), coalesce(round(longitude::numeric, 6)::text, ''),
  coalesce(location_text, ''), coalesce(lsoa_code, ''), coalesce(outcome, ''), coalesce(tier, ''),
  coalesce(attributes::text, ''), coalesce(restricted_text, ''))`;

/** What identifies a row without a source id: when, what and where (ADR 0004); not its outcome. */
const IDENTITY = `format('%s|%s|%s|%s|%s|%s|%s',
  occurred_month, ${OCCURRED_AT}, source_category,
  coalesce(round(latitude::numeric, 6)::text, ''), coalesce(round(longitude::numeric, 6)::text, ''),
  coalesce(location_text, ''), coalesce(restricted_text, ''))`;

/**
 * Natural keys (ADR 0004, 0014), deterministic for the same file and store:
 *  - a source id used by one row of the file (and by one stored row at most): the id;
 *  - a source id several rows share (data.police.uk publishes such rows, each
 *    counting in the force's totals), or one the store already holds several
 *    rows for: the group's keys are the id, id#2, id#3... Rows are matched to
 *    the group's stored keys first by identical content (so unchanged rows keep
 *    their record), then the rest in content order to the remaining stored keys
 *    (edits), then new keys; stored keys left over are retired by a snapshot.
 *  - no source id: a hash of when, what and where plus the ordinal among rows
 *    alike in those, so a later snapshot with one twin fewer retires one.
 * $1 agency, $2 feed.
 */
export const ASSIGN_KEYS = `
  with content as (
    select row_number, source_ref, md5(${CONTENT})::uuid as h, md5(${IDENTITY}) as identity,
      count(*) over (partition by source_ref) as n
    from ingest_staging where kind = 'i'
  ), grouped as (
    select source_ref from content where source_ref is not null and n > 1
    union
    select c.source_ref from content c join incident i
      on i.agency_id = $1 and i.feed = $2 and i.source_ref = c.source_ref and i.natural_key <> i.source_ref
  ), stored as (
    select i.source_ref, i.natural_key, i.content_hash as h,
      case when i.natural_key = i.source_ref then 1 else substring(i.natural_key from '#([0-9]+)$')::int end as k
    from grouped g join incident i on i.agency_id = $1 and i.feed = $2
      and (i.natural_key = g.source_ref or (i.source_ref = g.source_ref and i.natural_key <> i.source_ref))
  ), group_rows as (
    select c.row_number, c.source_ref, c.h, row_number() over (partition by c.source_ref, c.h order by c.row_number) as t
    from content c join grouped g on g.source_ref = c.source_ref
  ), stored_ranked as (
    select s.*, row_number() over (partition by s.source_ref, s.h order by s.k) as t from stored s
  ), same as (
    select r.row_number, s.natural_key from group_rows r
    join stored_ranked s on s.source_ref = r.source_ref and s.h = r.h and s.t = r.t
  ), rest_rows as (
    select r.row_number, r.source_ref, row_number() over (partition by r.source_ref order by r.h, r.row_number) as j
    from group_rows r where not exists (select 1 from same m where m.row_number = r.row_number)
  ), rest_keys as (
    select s.source_ref, s.natural_key, row_number() over (partition by s.source_ref order by s.k) as j,
      count(*) over (partition by s.source_ref) as left_over
    from stored s where not exists (select 1 from same m where m.natural_key = s.natural_key)
  ), top as (
    select source_ref, max(k) as k from stored group by 1
  ), group_keys as (
    select row_number, natural_key from same
    union all
    select r.row_number, coalesce(k.natural_key,
      case when coalesce(t.k, 0) + r.j - coalesce(n.left_over, 0) = 1 then r.source_ref
           else r.source_ref || '#' || (coalesce(t.k, 0) + r.j - coalesce(n.left_over, 0)) end)
    from rest_rows r
    left join rest_keys k on k.source_ref = r.source_ref and k.j = r.j
    left join top t on t.source_ref = r.source_ref
    left join (select distinct source_ref, left_over from rest_keys) n on n.source_ref = r.source_ref
  ), keyed as (
    select c.row_number, c.h, c.n,
      case when c.source_ref is null then 'h:' || c.identity || ':' || row_number() over (partition by c.identity, c.source_ref is null order by c.row_number)
           else coalesce(gk.natural_key, c.source_ref) end as natural_key
    from content c left join group_keys gk on gk.row_number = c.row_number
  )
  update ingest_staging s set natural_key = k.natural_key, content_hash = k.h, shared_with = case when s.source_ref is null then 0 else k.n - 1 end
  from keyed k where k.row_number = s.row_number`;

/** Rows that share their source id with other rows: kept, and noted for the submitting agency. */
export const STORE_SHARED_ID_NOTES = `
  with noted as (
    insert into ingest_reject (submission_id, row_number, column_name, value, reason, message, severity)
    select $1, row_number, null, source_ref, 'SHARED_SOURCE_ID',
      'shares its id with ' || shared_with || ' other row' || case when shared_with = 1 then '' else 's' end
        || ' of this file (a different place, category or outcome, or an identical row); each is kept as a published row',
      'note'
    from ingest_staging where kind = 'i' and shared_with > 0 order by row_number
    returning value
  ) select count(*)::int as rows, count(distinct value)::int as ids from noted`;

/**
 * Area assignment: the source LSOA through the 2011 lookup; a 2021 LSOA the
 * lookup lacks by its name's district; otherwise the nearest LSOA population-
 * weighted centroid within ~5 km; otherwise an ONS ward code the adapter put in
 * attributes.wardCode; otherwise a ward name that is unique.
 */
const PLACED = `
  placed as (
    select s.*,
      la.code as l_code, la.ward_code as l_ward, la.lad_code as l_lad,
      ln.code as n_lad,
      nc.code as c_code, nc.ward_code as c_ward, nc.lad_code as c_lad,
      wc.code as k_code, wc.lad_code as k_lad,
      wn.code as w_code, wn.lad_code as w_lad
    from ingest_staging s
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

/**
 * Rows of this file that differ from what is stored but stay as stored,
 * because the stored row's as-of is newer. Counted before the merge.
 * $1 agency, $2 feed, $3 the submission's as-of.
 */
export const COUNT_KEPT_NEWER = `
  select count(*)::int as n from ingest_staging s
  join incident i on i.agency_id = $1 and i.feed = $2 and i.natural_key = s.natural_key
  where s.kind = 'i' and i.as_of > coalesce(s.as_of, $3::timestamptz)
    and (i.content_hash is distinct from s.content_hash or i.retired_at is not null)`;

/**
 * New rows are inserted; a stored row changes (or comes back, when a snapshot
 * had retired it) only when this file's as-of for it is not older than the
 * stored one's and what the source says differs. Ties go to the later
 * submission: the same extract read again (e.g. with a corrected layout).
 * $4 the submission's as-of.
 */
export const MERGE_INCIDENTS = `
  with ${PLACED},
  merged as (
    insert into incident as i (
      submission_id, agency_id, feed, source_ref, natural_key, source_category, category,
      occurred_month, occurred_at, location_text, lsoa_code, ward_code, lad_code, area_method,
      latitude, longitude, outcome, tier, attributes, restricted_text, content_hash, as_of)
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
      p.latitude, p.longitude, p.outcome, p.tier, p.attributes, p.restricted_text, p.content_hash,
      coalesce(p.as_of, $4::timestamptz)
    from placed p
    order by p.row_number
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
      content_hash = excluded.content_hash,
      as_of = excluded.as_of,
      retired_at = null,
      retired_by_submission_id = null,
      updated_at = now()
    where excluded.as_of >= i.as_of and (i.content_hash is distinct from excluded.content_hash or i.retired_at is not null)
    returning (xmax = 0) as inserted
  )
  select count(*) filter (where inserted)::int as inserted, count(*) filter (where not inserted)::int as updated from merged`;

/**
 * A snapshot feed's file is the whole truth for its months: stored rows of
 * those months it no longer has are retired (kept, excluded from reads), unless
 * they are newer than this file. Two steps: find them with a hash
 * anti-join (the caller turns nested loops off for it: a fresh temporary table
 * has no useful statistics and a nested loop over it is quadratic), then
 * retire them by id. $1 agency, $2 feed, $3 the submission's as-of.
 */
export const FIND_UNPUBLISHED = `
  create temp table ingest_unpublished on commit drop as
  select i.id from incident i
  where i.agency_id = $1 and i.feed = $2 and i.retired_at is null and i.as_of <= $3::timestamptz
    and i.occurred_month in (select distinct occurred_month from ingest_staging where kind = 'i')
    and not exists (select 1 from ingest_staging s where s.kind = 'i' and s.natural_key = i.natural_key)`;

/** $1 submission id. */
export const RETIRE_UNPUBLISHED = `
  with retired as (
    update incident i set retired_at = now(), retired_by_submission_id = $1, updated_at = now()
    where i.id in (select id from ingest_unpublished)
    returning 1
  ) select count(*)::int as n from retired`;

/** Months the file holds incidents for. */
export const STAGED_MONTHS = `select coalesce(array_agg(distinct to_char(occurred_month, 'YYYY-MM-DD') order by to_char(occurred_month, 'YYYY-MM-DD')), '{}') as months
  from ingest_staging where kind = 'i'`;

/** Earlier accepted submissions of the same feed covering any of these months. $1 id, $2 agency, $3 feed, $4 months. */
export const REVISED_SUBMISSIONS = `
  select coalesce(array_agg(id order by id), '{}') as ids from submission
  where agency_id = $2 and feed = $3 and status = 'accepted' and id <> $1 and periods && $4::date[]`;

/** The latest as-of the file's rows carry (layouts with a last-updated column). */
export const STAGED_AS_OF = `select max(as_of) as as_of from ingest_staging where kind in ('i', 'u')`;

/**
 * Updates (police outcomes) apply to the named records of the target feed
 * (every row sharing the id); the latest month wins. $1 submission id, $2
 * agency id, $3 target feed.
 */
export const APPLY_UPDATES = `
  with latest as (
    select distinct on (source_ref) source_ref, outcome, occurred_month
    from ingest_staging where kind = 'u'
    order by source_ref, occurred_month desc, row_number desc
  ), targets as (
    select i.id, l.outcome, l.occurred_month from latest l join incident i on i.agency_id = $2 and i.feed = $3 and i.natural_key = l.source_ref
    union
    select i.id, l.outcome, l.occurred_month from latest l join incident i on i.agency_id = $2 and i.feed = $3
      and i.source_ref = l.source_ref and i.natural_key <> i.source_ref
  ), applied as (
    update incident i set outcome = t.outcome, updated_at = now(),
      attributes = i.attributes || jsonb_build_object('outcomeMonth', to_char(t.occurred_month, 'YYYY-MM'), 'outcomeSubmissionId', $1::bigint)
    from targets t
    where i.id = t.id and i.outcome is distinct from t.outcome
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

export const STORE_REJECTS = `
  insert into ingest_reject (submission_id, row_number, column_name, value, reason, message, severity)
  select $1, row_number, reject_column, reject_value, reject_reason, reject_message, 'reject'
  from ingest_staging where kind = 'r' order by row_number`;

export const FIRST_REJECTS = `select row_number, reject_column, reject_reason, reject_message from ingest_staging where kind = 'r' order by row_number limit 10`;
