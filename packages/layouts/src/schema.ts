import { z } from 'zod';
import { FEED_IDS, PRIORITIES } from '@csp-hub/taxonomy';
import { compileDateFormats, DEFAULT_DATE_FORMATS, type PatternUse } from './dates';
import type { TransformRegistry } from './transforms';

/**
 * The layout format: what a partnership writes (YAML or JSON) to map one CSV
 * export to the hub's incident model. Shorthands: a field given as a string
 * names its column (`wardName: Ward`); `column` may list fall-backs, the first
 * non-empty wins (`column: [WardNew, Ward]`); `format` may be one string or a
 * list tried in turn. docs/layouts.md is the reference.
 *
 * Every check is part of the schema (date formats for their use, transforms
 * and their inputs, which fields go together), so one pass reports every
 * problem: a refinement runs wherever its own part of the file is readable,
 * whatever is wrong elsewhere.
 */

/** Literal texts that mean "no value" unless a layout says otherwise (compared trimmed, any case). */
export const DEFAULT_NULL_TOKENS: readonly string[] = ['NULL', 'N/A', '-', ''];

export { DEFAULT_DATE_FORMATS };

/** A single value where a list is expected stands for a list of one. */
const asList = (v: unknown): unknown => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? [v] : v);
const asColumn = (v: unknown): unknown => (typeof v === 'string' || Array.isArray(v) ? { column: v } : v);

type Path = (string | number)[];
type Add = (path: Path, message: string) => void;
function refined<T>(check: (value: T, add: Add) => void): (value: T, ctx: z.RefinementCtx) => void {
  return (value, ctx) => check(value, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
}

const ColumnName = z.string().trim().min(1, { error: 'a column name must not be empty' }).max(200);
/** One column, or fall-backs in order. */
const Columns = z.preprocess(asList, z.array(ColumnName).min(1).max(10));

/** Date formats checked for where they are used (a whole date-time, a date, a time, a part). */
function formats(use: PatternUse) {
  return z.preprocess(
    asList,
    z
      .array(z.string().max(100))
      .min(1)
      .max(20)
      .superRefine(
        refined((list: string[], add) => {
          const compiled = compileDateFormats(list, use);
          if (!compiled.ok) for (const p of compiled.problems) add([p.index], p.message);
        }),
      ),
  );
}

const ATTRIBUTE_KEY = /^[a-z][A-Za-z0-9]{0,62}$/;
export const ATTRIBUTE_TYPES = ['text', 'integer', 'number', 'boolean', 'date', 'postcode-district'] as const;

interface TransformRef {
  transform?: string | undefined;
  inputs?: Record<string, string> | undefined;
  options?: Record<string, string> | undefined;
}

function checkTransform(spec: TransformRef, transforms: TransformRegistry | undefined, add: Add): void {
  if (spec.transform === undefined) {
    if (spec.inputs) add(['inputs'], 'inputs belong to a transform; name the transform too');
    if (spec.options) add(['options'], 'options belong to a transform; name the transform too');
    return;
  }
  if (!transforms) return;
  const t = transforms[spec.transform];
  if (!t) {
    add(['transform'], `there is no transform "${spec.transform}" (transforms: ${Object.keys(transforms).join(', ') || 'none'})`);
    return;
  }
  const inputs = spec.inputs ?? {};
  for (const [name, input] of Object.entries(t.inputs)) {
    if (input.required && inputs[name] === undefined) add(['inputs'], `transform ${t.name} needs input ${name} (${input.description})`);
  }
  for (const name of Object.keys(inputs)) {
    if (!t.inputs[name]) add(['inputs', name], `transform ${t.name} has no input ${name} (inputs: ${Object.keys(t.inputs).join(', ')})`);
  }
  for (const [name, value] of Object.entries(spec.options ?? {})) {
    const option = t.options?.[name];
    if (!option) add(['options', name], `transform ${t.name} has no option ${name}`);
    else if (!option.values.includes(value)) add(['options', name], `"${value}" is not one of: ${option.values.join(', ')}`);
  }
}

function exactlyOne(spec: object, keys: readonly string[], what: string, add: Add): void {
  const present = keys.filter((k) => (spec as Record<string, unknown>)[k] !== undefined);
  if (present.length === 1) return;
  add([], present.length === 0 ? `${what} needs one of: ${keys.join(', ')}` : `${what} takes only one of ${keys.join(', ')}; found ${present.join(' and ')}`);
}

/** The schema pieces; with a transform registry, transform names, inputs and options are checked too. */
function buildSchema(transforms: TransformRegistry | undefined) {
  const transformFields = {
    transform: z.string().min(1).max(100).optional(),
    inputs: z.record(z.string().min(1).max(100), ColumnName).optional(),
    options: z.record(z.string().min(1).max(100), z.string().max(200)).optional(),
  };
  const datePart = (use: PatternUse) => z.preprocess(asColumn, z.object({ column: Columns, format: formats(use).optional() }).strict());
  const Text = z.preprocess(asColumn, z.object({ column: Columns }).strict());

  const SourceRef = z.preprocess(
    asColumn,
    z
      .object({
        column: Columns.optional(),
        ...transformFields,
        /** An empty value rejects the row (MISSING_ID); false keeps it without an id (ingest keys it by content). */
        required: z.boolean().default(true),
      })
      .strict()
      .superRefine(
        refined((s, add) => {
          exactlyOne(s, ['column', 'transform'], 'sourceRef', add);
          checkTransform(s, transforms, add);
        }),
      ),
  );

  const OccurredAt = z.preprocess(
    asColumn,
    z
      .object({
        column: Columns.optional(),
        format: formats('datetime').optional(),
        date: datePart('date').optional(),
        time: datePart('time').optional(),
        day: datePart('day').optional(),
        month: datePart('month').optional(),
        year: datePart('year').optional(),
      })
      .strict()
      .superRefine(
        refined((o, add) => {
          exactlyOne(o, ['column', 'date', 'day'], 'occurredAt', add);
          if (!o.column && o.format) add(['format'], 'format goes with column; a split date gives each part its own format');
          if (o.time && !o.date && !o.day) add(['time'], 'time goes with date, or with day, month and year');
          if (o.day || o.month || o.year) {
            for (const part of ['day', 'month', 'year'] as const) {
              if (!o[part]) add([part], `a date split into day, month and year needs ${part} too`);
            }
          }
        }),
      ),
  );

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
    .strict()
    .superRefine(
      refined((s, add) => {
        if (s.system === 'wgs84') {
          const pair = s.latitude !== undefined || s.longitude !== undefined;
          if (s.easting !== undefined || s.northing !== undefined) add([], 'easting and northing are British National Grid: use system bng');
          if (pair && (s.latitude === undefined || s.longitude === undefined)) add([], 'give both latitude and longitude');
          if (pair === (s.point !== undefined)) add([], 'a WGS84 source is latitude and longitude columns, or one point column "(lat, lon)"');
        } else {
          if (s.easting === undefined || s.northing === undefined) add([], 'a British National Grid source needs easting and northing');
          if (s.latitude !== undefined || s.longitude !== undefined || s.point !== undefined) add([], 'latitude and longitude are WGS84: add a separate source with system wgs84');
        }
      }),
    );
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
        ...transformFields,
      })
      .strict()
      .superRefine(
        refined((s, add) => {
          exactlyOne(s, ['column', 'value', 'transform'], 'sourceCategory', add);
          checkTransform(s, transforms, add);
        }),
      ),
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
      .strict()
      .superRefine(
        refined((c, add) => {
          if (c.default !== undefined && c.map === undefined) {
            add(['default'], 'default is the priority of categories the map does not list; give the map too (or leave category out to use the taxonomy)');
          }
        }),
      ),
  );

  const Attribute = z.preprocess(
    asColumn,
    z
      .object({
        column: Columns.optional(),
        value: z.union([z.string(), z.number(), z.boolean()]).optional(),
        ...transformFields,
        type: z.enum(ATTRIBUTE_TYPES).default('text'),
        /** Allowed values (text): matched in any case, stored as written here; others reject the row. */
        values: z.array(z.string().trim().min(1).max(200)).min(1).max(500).optional(),
        /** Date formats (type date); default iso and uk. */
        format: formats('datetime').optional(),
        min: z.number().optional(),
        max: z.number().optional(),
        /** An empty value rejects the row (MISSING_VALUE). */
        required: z.boolean().default(false),
        /** What an unreadable value does: reject the row (default) or leave the attribute out. */
        invalid: z.enum(['reject', 'omit']).default('reject'),
        /** A value here places the row well enough for rules.requireLocation (e.g. a postcode district). */
        locates: z.boolean().default(false),
      })
      .strict()
      .superRefine(
        refined((a, add) => {
          exactlyOne(a, ['column', 'value', 'transform'], 'the attribute', add);
          checkTransform(a, transforms, add);
          if (a.values && a.type !== 'text') add(['values'], `allowed values go with type text, not ${a.type}`);
          if (a.format && a.type !== 'date') add(['format'], 'format goes with type date');
          if ((a.min !== undefined || a.max !== undefined) && a.type !== 'integer' && a.type !== 'number') {
            add([a.min !== undefined ? 'min' : 'max'], 'min and max go with type integer or number');
          }
          if (a.min !== undefined && a.max !== undefined && a.min > a.max) add(['max'], 'max is below min');
          if (a.value !== undefined && (a.required || a.values || a.type !== 'text')) add(['value'], 'a constant value takes no type, allowed values or required');
        }),
      ),
  );
  const AttributeKey = z.string().regex(ATTRIBUTE_KEY, { error: 'attribute names are camelCase letters and digits, e.g. propertyType' });

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
    .strict()
    .superRefine(
      refined((h, add) => {
        const seen = new Set<string>();
        h.required.forEach((name, i) => {
          if (seen.has(name)) add(['required', i], `"${name}" is listed twice`);
          seen.add(name);
        });
        h.anyOf?.groups.forEach((g, i) => {
          if (g.every((col) => h.required.includes(col))) add(['anyOf', 'groups', i], 'every column of this group is already required');
        });
      }),
    );

  const Mapping = z
    .object({
      sourceRef: SourceRef.optional(),
      occurredAt: OccurredAt.optional(),
      /** For exports that give only a month (and no day). */
      month: datePart('month-of-year').optional(),
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
      asOf: datePart('datetime').optional(),
    })
    .strict()
    .superRefine(
      refined((c, add) => {
        if (c.occurredAt && c.month) add(['month'], 'give occurredAt or month, not both');
        if (!c.occurredAt && !c.month) add(['occurredAt'], 'is required (or month, for exports that give only a month)');
      }),
    );

  const Rules = z
    .object({
      /** A row with no coordinates, LSOA, ward or locating attribute is rejected (MISSING_LOCATION). */
      requireLocation: z.boolean().default(false),
      /** The column a MISSING_LOCATION reject names (default none). */
      missingLocationColumn: ColumnName.optional(),
      /** Keep attributes.locationPrecisionM: the side of the square a grid reference stands for. */
      recordLocationPrecision: z.boolean().default(false),
    })
    .strict()
    .superRefine(
      refined((r, add) => {
        if (r.missingLocationColumn !== undefined && !r.requireLocation) add(['missingLocationColumn'], 'goes with requireLocation: true');
      }),
    );

  const Layout = z
    .object({
      id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, { error: 'an id is 2-63 lower-case letters, digits and dashes, e.g. acme-fire-irs' }),
      version: z.number().int().min(1).max(100_000).default(1),
      label: z.string().trim().min(3).max(200),
      description: z.string().max(4000).optional(),
      feed: z
        .enum(FEED_IDS)
        .refine((f) => f !== 'police.outcomes', { error: 'police.outcomes rows update crimes already stored; a layout maps rows to incidents, so it cannot describe them' }),
      format: z.literal('csv').default('csv'),
      encoding: z.enum(['utf-8', 'windows-1252', 'auto']).default('auto'),
      nullTokens: z.preprocess(asList, z.array(z.string().max(50)).max(50)).default([...DEFAULT_NULL_TOKENS]),
      /** An optional column that is present but empty on a row: leave the attribute out (omit) or store null. */
      emptyAttributes: z.enum(['omit', 'null']).default('omit'),
      header: Header,
      columns: Mapping,
      rules: Rules.default({ requireLocation: false, recordLocationPrecision: false }),
    })
    .strict()
    .superRefine(
      refined((l, add) => {
        const c = l.columns;
        const locates = Boolean(c.coordinates || c.lsoaCode || c.wardCode || c.wardName) || Object.values(c.attributes ?? {}).some((a) => a.locates);
        if (l.rules.requireLocation && !locates) {
          add(['rules', 'requireLocation'], 'no column can place a row: map coordinates, lsoaCode, wardCode, wardName or an attribute with locates: true');
        }
      }),
    );

  return { Layout, Mapping, Header, Rules, CoordinateSource };
}

const base = buildSchema(undefined);

/** The layout schema without transform checks (for types and tools); parseLayout uses layoutSchema(transforms). */
export const LayoutSchema = base.Layout;

const byRegistry = new WeakMap<TransformRegistry, typeof LayoutSchema>();

/** The full schema for a transform registry: transform names, inputs and options are checked too. */
export function layoutSchema(transforms: TransformRegistry): typeof LayoutSchema {
  let schema = byRegistry.get(transforms);
  if (!schema) {
    schema = buildSchema(transforms).Layout;
    byRegistry.set(transforms, schema);
  }
  return schema;
}

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
  ...new Set([
    ...Object.keys(base.Layout.shape),
    ...Object.keys(base.Mapping.shape),
    ...Object.keys(base.Header.shape),
    ...Object.keys(base.Rules.shape),
    ...Object.keys(base.CoordinateSource.shape),
    ...['column', 'format', 'date', 'time', 'day', 'month', 'year', 'transform', 'inputs', 'options', 'required', 'value', 'type', 'values'],
    ...['min', 'max', 'invalid', 'locates', 'withholdAddresses', 'label', 'map', 'default', 'name', 'groups'],
  ]),
];
