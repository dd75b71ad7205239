import { z } from 'zod';
import { FEED_IDS, PRIORITIES } from '@csp-hub/taxonomy';

/**
 * The layout format: what a partnership writes (YAML or JSON) to map one CSV
 * export to the hub's incident model. Shorthands: a field given as a string
 * names its column (`wardName: Ward`); `column` may list fall-backs, the first
 * non-empty wins (`column: [WardNew, Ward]`); `format` may be one string or a
 * list tried in turn. docs/layouts.md is the reference.
 */

/** Literal texts that mean "no value" unless a layout says otherwise (compared trimmed, any case). */
export const DEFAULT_NULL_TOKENS: readonly string[] = ['NULL', 'N/A', '-', ''];

/** Council-style day-first and ISO dates, when a layout names no format. */
export const DEFAULT_DATE_FORMATS: readonly string[] = ['iso', 'uk'];

/** A single value where a list is expected stands for a list of one. */
const asList = (v: unknown): unknown => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? [v] : v);
const asColumn = (v: unknown): unknown => (typeof v === 'string' || Array.isArray(v) ? { column: v } : v);

const ColumnName = z.string().trim().min(1, { error: 'a column name must not be empty' }).max(200);
/** One column, or fall-backs in order. */
const Columns = z.preprocess(asList, z.array(ColumnName).min(1).max(10));
const Formats = z.preprocess(asList, z.array(z.string().max(100)).min(1).max(20));

const TransformFields = {
  transform: z.string().min(1).max(100).optional(),
  inputs: z.record(z.string().min(1).max(100), ColumnName).optional(),
  options: z.record(z.string().min(1).max(100), z.string().max(200)).optional(),
};

const Text = z.preprocess(asColumn, z.object({ column: Columns }).strict());

const SourceRef = z.preprocess(
  asColumn,
  z
    .object({
      column: Columns.optional(),
      ...TransformFields,
      /** An empty value rejects the row (MISSING_ID); false keeps it without an id (ingest keys it by content). */
      required: z.boolean().default(true),
    })
    .strict(),
);

const DatePart = z.preprocess(asColumn, z.object({ column: Columns, format: Formats.optional() }).strict());

const OccurredAt = z.preprocess(
  asColumn,
  z
    .object({
      column: Columns.optional(),
      format: Formats.optional(),
      date: DatePart.optional(),
      time: DatePart.optional(),
      day: DatePart.optional(),
      month: DatePart.optional(),
      year: DatePart.optional(),
    })
    .strict(),
);

const MonthOnly = z.preprocess(asColumn, z.object({ column: Columns, format: Formats.optional() }).strict());

const LocationText = z.preprocess(
  asColumn,
  z
    .object({
      column: Columns,
      /** A description that looks like a premises address goes to restrictedText instead (default true). */
      withholdAddresses: z.boolean().default(true),
      /** Label of the withheld text in restrictedText (default: the column name). */
      label: z.string().min(1).max(100).optional(),
    })
    .strict(),
);

const CoordinateSource = z
  .object({
    system: z.enum(['wgs84', 'bng']),
    latitude: ColumnName.optional(),
    longitude: ColumnName.optional(),
    /** A `(latitude, longitude)` text column (WGS84). */
    point: ColumnName.optional(),
    easting: ColumnName.optional(),
    northing: ColumnName.optional(),
    /** Side of the square (metres) the values stand for at least, e.g. 100 for rounded grid references. */
    precisionM: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();

const Coordinates = z.preprocess((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? [v] : v), z.array(CoordinateSource).min(1).max(5));

const RestrictedPart = z.preprocess(
  (v) => (typeof v === 'string' ? { column: v } : v),
  z
    .object({
      column: Columns,
      /** Written before the text (`Description: ...`); none by default. */
      label: z.string().min(1).max(100).optional(),
    })
    .strict(),
);
const RestrictedText = z.preprocess((v) => (Array.isArray(v) ? v : [v]), z.array(RestrictedPart).min(1).max(20));

const SourceCategory = z.preprocess(
  asColumn,
  z
    .object({
      column: Columns.optional(),
      /** Every row gets this category (single-type exports). */
      value: z.string().trim().min(1).max(200).optional(),
      ...TransformFields,
    })
    .strict(),
);

const Priority = z.enum(PRIORITIES);

const Category = z.preprocess(
  (v) => (v === 'taxonomy' ? {} : v),
  z
    .object({
      /** Source category (any case, white space folded) -> partnership priority. */
      map: z.record(z.string().min(1).max(200), Priority).optional(),
      /** Priority of a category the map does not list (default other). */
      default: Priority.optional(),
    })
    .strict(),
);

export const ATTRIBUTE_TYPES = ['text', 'integer', 'number', 'boolean', 'date', 'postcode-district'] as const;

const Attribute = z.preprocess(
  asColumn,
  z
    .object({
      column: Columns.optional(),
      value: z.union([z.string(), z.number(), z.boolean()]).optional(),
      ...TransformFields,
      type: z.enum(ATTRIBUTE_TYPES).default('text'),
      /** Allowed values (text): matched in any case, stored as written here; others reject the row. */
      values: z.array(z.string().trim().min(1).max(200)).min(1).max(500).optional(),
      /** Date formats (type date); default iso and uk. */
      format: Formats.optional(),
      min: z.number().optional(),
      max: z.number().optional(),
      /** An empty value rejects the row (MISSING_VALUE). */
      required: z.boolean().default(false),
      /** What an unreadable value does: reject the row (default) or leave the attribute out. */
      invalid: z.enum(['reject', 'omit']).default('reject'),
      /** A value here places the row well enough for rules.requireLocation (e.g. a postcode district). */
      locates: z.boolean().default(false),
    })
    .strict(),
);

const AttributeKey = z.string().regex(/^[a-z][A-Za-z0-9]{0,62}$/, { error: 'attribute names are camelCase letters and digits, e.g. propertyType' });

const Header = z
  .object({
    /** Columns the header must carry (exact names, any order). Every other column a mapping names is optional. */
    required: z.preprocess(asList, z.array(ColumnName).min(1).max(200)),
    /** At least one of these groups must be present in full (e.g. a location: ward, LSOA, or a coordinate pair). */
    anyOf: z
      .object({
        /** What the groups stand for, in messages ("location column"). */
        name: z.string().trim().min(1).max(100).default('alternative column'),
        groups: z.array(z.preprocess(asList, z.array(ColumnName).min(1).max(10))).min(1).max(20),
      })
      .strict()
      .optional(),
  })
  .strict();

const Mapping = z
  .object({
    sourceRef: SourceRef.optional(),
    occurredAt: OccurredAt.optional(),
    /** For exports that give only a month (and no day). */
    month: MonthOnly.optional(),
    locationText: LocationText.optional(),
    lsoaCode: Text.optional(),
    lsoaName: Text.optional(),
    wardCode: Text.optional(),
    wardName: Text.optional(),
    coordinates: Coordinates.optional(),
    outcome: Text.optional(),
    restrictedText: RestrictedText.optional(),
    sourceCategory: SourceCategory,
    category: Category.optional(),
    attributes: z.record(AttributeKey, Attribute).optional(),
    /** When the source last changed the row (last updated, closed date): the incident's asOf instant. */
    asOf: DatePart.optional(),
  })
  .strict();

const Rules = z
  .object({
    /** A row with no coordinates, LSOA, ward or locating attribute is rejected (MISSING_LOCATION). */
    requireLocation: z.boolean().default(false),
    /** The column a MISSING_LOCATION reject names (default none). */
    missingLocationColumn: ColumnName.optional(),
    /** Keep attributes.locationPrecisionM: the side of the square a grid reference stands for. */
    recordLocationPrecision: z.boolean().default(false),
  })
  .strict();

export const LayoutSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, { error: 'an id is 2-63 lower-case letters, digits and dashes, e.g. acme-fire-irs' }),
    version: z.number().int().min(1).max(100_000).default(1),
    label: z.string().trim().min(3).max(200),
    description: z.string().max(4000).optional(),
    feed: z.enum(FEED_IDS),
    format: z.literal('csv').default('csv'),
    encoding: z.enum(['utf-8', 'windows-1252', 'auto']).default('auto'),
    nullTokens: z.preprocess(asList, z.array(z.string().max(50)).max(50)).default([...DEFAULT_NULL_TOKENS]),
    /** An optional column that is present but empty on a row: leave the attribute out (omit) or store null. */
    emptyAttributes: z.enum(['omit', 'null']).default('omit'),
    header: Header,
    columns: Mapping,
    rules: Rules.default({ requireLocation: false, recordLocationPrecision: false }),
  })
  .strict();

/** A layout as written (before defaults). */
export type LayoutInput = z.input<typeof LayoutSchema>;
/** A validated layout with defaults applied. */
export type LayoutDefinition = z.output<typeof LayoutSchema>;
export type LayoutMapping = LayoutDefinition['columns'];
export type AttributeSpec = NonNullable<LayoutMapping['attributes']>[string];
export type CoordinateSpec = NonNullable<LayoutMapping['coordinates']>[number];
export type DatePartSpec = NonNullable<LayoutMapping['asOf']>;
export type OccurredAtSpec = NonNullable<LayoutMapping['occurredAt']>;

/** Every field name the format knows (for "did you mean" hints). */
export const KNOWN_FIELDS: readonly string[] = [
  ...Object.keys(LayoutSchema.shape),
  ...Object.keys(Mapping.shape),
  ...Object.keys(Header.shape),
  ...Object.keys(Rules.shape),
  ...Object.keys(CoordinateSource.shape),
  'column', 'format', 'date', 'time', 'day', 'month', 'year', 'transform', 'inputs', 'options', 'required', 'value', 'type', 'values',
  'min', 'max', 'invalid', 'locates', 'withholdAddresses', 'label', 'map', 'default', 'name', 'groups',
];
