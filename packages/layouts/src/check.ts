import { compileDateFormats, type PatternUse } from './dates';
import { DEFAULT_DATE_FORMATS, type LayoutDefinition } from './schema';
import type { TransformRegistry } from './transforms';

/** A problem the schema alone cannot see, with the path of the field it concerns. */
export interface Problem {
  path: (string | number)[];
  message: string;
}

/** Default formats of each part of a split date. */
export const PART_FORMATS = {
  date: ['iso', 'uk'],
  time: ['H:mm[:ss]'],
  day: ['d'],
  month: ['MMMM', 'M'],
  year: ['yyyy'],
  monthOnly: ['yyyy-MM', 'M/yyyy', 'MMM yyyy'],
} as const;

function formats(path: (string | number)[], list: readonly string[] | undefined, fallback: readonly string[], use: PatternUse, out: Problem[]): void {
  const given = list ?? fallback;
  const compiled = compileDateFormats(given, use);
  if (compiled.ok) return;
  for (const p of compiled.problems) out.push({ path: list ? [...path, 'format', p.index] : path, message: p.message });
}

function exactlyOne(path: (string | number)[], spec: object, keys: readonly string[], what: string, out: Problem[]): void {
  const present = keys.filter((k) => (spec as Record<string, unknown>)[k] !== undefined);
  if (present.length === 1) return;
  out.push({
    path,
    message: present.length === 0 ? `${what} needs one of: ${keys.join(', ')}` : `${what} takes only one of ${keys.join(', ')}; found ${present.join(' and ')}`,
  });
}

function transform(
  path: (string | number)[],
  spec: { transform?: string | undefined; inputs?: Record<string, string> | undefined; options?: Record<string, string> | undefined },
  transforms: TransformRegistry,
  out: Problem[],
): void {
  if (spec.transform === undefined) {
    if (spec.inputs) out.push({ path: [...path, 'inputs'], message: 'inputs belong to a transform; name the transform too' });
    if (spec.options) out.push({ path: [...path, 'options'], message: 'options belong to a transform; name the transform too' });
    return;
  }
  const t = transforms[spec.transform];
  if (!t) {
    out.push({ path: [...path, 'transform'], message: `there is no transform "${spec.transform}" (transforms: ${Object.keys(transforms).join(', ') || 'none'})` });
    return;
  }
  const inputs = spec.inputs ?? {};
  for (const [name, input] of Object.entries(t.inputs)) {
    if (input.required && inputs[name] === undefined) out.push({ path: [...path, 'inputs'], message: `transform ${t.name} needs input ${name} (${input.description})` });
  }
  for (const name of Object.keys(inputs)) {
    if (!t.inputs[name]) out.push({ path: [...path, 'inputs', name], message: `transform ${t.name} has no input ${name} (inputs: ${Object.keys(t.inputs).join(', ')})` });
  }
  for (const [name, value] of Object.entries(spec.options ?? {})) {
    const option = t.options?.[name];
    if (!option) out.push({ path: [...path, 'options', name], message: `transform ${t.name} has no option ${name}` });
    else if (!option.values.includes(value)) out.push({ path: [...path, 'options', name], message: `"${value}" is not one of: ${option.values.join(', ')}` });
  }
}

/**
 * Checks what the schema cannot: which fields go together, date formats for
 * their use, transforms and their inputs, coordinate systems, and that a rule
 * has something to work on. Returns every problem.
 */
export function checkLayout(layout: LayoutDefinition, transforms: TransformRegistry): Problem[] {
  const out: Problem[] = [];
  const c = layout.columns;
  const cols = ['columns'];

  if (layout.feed === 'police.outcomes') {
    out.push({ path: ['feed'], message: 'police.outcomes rows update crimes already stored; a layout maps rows to incidents, so it cannot describe them' });
  }
  const seen = new Set<string>();
  layout.header.required.forEach((name, i) => {
    if (seen.has(name)) out.push({ path: ['header', 'required', i], message: `"${name}" is listed twice` });
    seen.add(name);
  });

  if (c.occurredAt && c.month) out.push({ path: [...cols, 'month'], message: 'give occurredAt or month, not both' });
  if (!c.occurredAt && !c.month) out.push({ path: [...cols, 'occurredAt'], message: 'is required (or month, for exports that give only a month)' });
  if (c.occurredAt) {
    const o = c.occurredAt;
    const path = [...cols, 'occurredAt'];
    exactlyOne(path, o, ['column', 'date', 'day'], 'occurredAt', out);
    if (o.column) formats(path, o.format, DEFAULT_DATE_FORMATS, 'datetime', out);
    else if (o.format) out.push({ path: [...path, 'format'], message: 'format goes with column; a split date gives each part its own format' });
    if (o.date) formats([...path, 'date'], o.date.format, PART_FORMATS.date, 'date', out);
    if (o.time) {
      if (!o.date && !o.day) out.push({ path: [...path, 'time'], message: 'time goes with date, or with day, month and year' });
      formats([...path, 'time'], o.time.format, PART_FORMATS.time, 'time', out);
    }
    if (o.day || o.month || o.year) {
      for (const part of ['day', 'month', 'year'] as const) {
        const spec = o[part];
        if (!spec) out.push({ path: [...path, part], message: `a date split into day, month and year needs ${part} too` });
        else formats([...path, part], spec.format, PART_FORMATS[part], part, out);
      }
    }
    if (o.date && o.day) out.push({ path: [...path, 'day'], message: 'give date, or day, month and year, not both' });
  }
  if (c.month) formats([...cols, 'month'], c.month.format, PART_FORMATS.monthOnly, 'month-of-year', out);
  if (c.asOf) formats([...cols, 'asOf'], c.asOf.format, DEFAULT_DATE_FORMATS, 'datetime', out);

  if (c.sourceRef) {
    exactlyOne([...cols, 'sourceRef'], c.sourceRef, ['column', 'transform'], 'sourceRef', out);
    transform([...cols, 'sourceRef'], c.sourceRef, transforms, out);
  }
  exactlyOne([...cols, 'sourceCategory'], c.sourceCategory, ['column', 'value', 'transform'], 'sourceCategory', out);
  transform([...cols, 'sourceCategory'], c.sourceCategory, transforms, out);
  if (c.category && c.category.default !== undefined && c.category.map === undefined) {
    out.push({ path: [...cols, 'category', 'default'], message: 'default is the priority of categories the map does not list; give the map too (or leave category out to use the taxonomy)' });
  }

  for (const [key, a] of Object.entries(c.attributes ?? {})) {
    const path = [...cols, 'attributes', key];
    exactlyOne(path, a, ['column', 'value', 'transform'], `attribute ${key}`, out);
    transform(path, a, transforms, out);
    if (a.values && a.type !== 'text') out.push({ path: [...path, 'values'], message: `allowed values go with type text, not ${a.type}` });
    if (a.format && a.type !== 'date') out.push({ path: [...path, 'format'], message: 'format goes with type date' });
    if (a.type === 'date') formats(path, a.format, DEFAULT_DATE_FORMATS, 'datetime', out);
    if ((a.min !== undefined || a.max !== undefined) && a.type !== 'integer' && a.type !== 'number') {
      out.push({ path: [...path, a.min !== undefined ? 'min' : 'max'], message: 'min and max go with type integer or number' });
    }
    if (a.min !== undefined && a.max !== undefined && a.min > a.max) out.push({ path: [...path, 'max'], message: 'max is below min' });
    if (a.value !== undefined && (a.required || a.values || a.type !== 'text')) {
      out.push({ path: [...path, 'value'], message: 'a constant value takes no type, allowed values or required' });
    }
  }

  (c.coordinates ?? []).forEach((s, i) => {
    const path = [...cols, 'coordinates', i];
    if (s.system === 'wgs84') {
      const pair = s.latitude !== undefined || s.longitude !== undefined;
      if (s.easting !== undefined || s.northing !== undefined) out.push({ path, message: 'easting and northing are British National Grid: use system bng' });
      if (pair && (s.latitude === undefined || s.longitude === undefined)) out.push({ path, message: 'give both latitude and longitude' });
      if (pair === (s.point !== undefined)) out.push({ path, message: 'a WGS84 source is latitude and longitude columns, or one point column "(lat, lon)"' });
    } else {
      if (s.easting === undefined || s.northing === undefined) out.push({ path, message: 'a British National Grid source needs easting and northing' });
      if (s.latitude !== undefined || s.longitude !== undefined || s.point !== undefined) out.push({ path, message: 'latitude and longitude are WGS84: add a separate source with system wgs84' });
    }
  });

  const locates = Boolean(c.coordinates || c.lsoaCode || c.wardCode || c.wardName) || Object.values(c.attributes ?? {}).some((a) => a.locates);
  if (layout.rules.requireLocation && !locates) {
    out.push({ path: ['rules', 'requireLocation'], message: 'no column can place a row: map coordinates, lsoaCode, wardCode, wardName or an attribute with locates: true' });
  }
  if (layout.rules.missingLocationColumn !== undefined && !layout.rules.requireLocation) {
    out.push({ path: ['rules', 'missingLocationColumn'], message: 'goes with requireLocation: true' });
  }
  if (layout.header.anyOf) {
    layout.header.anyOf.groups.forEach((g, i) => {
      if (g.every((col) => layout.header.required.includes(col))) out.push({ path: ['header', 'anyOf', 'groups', i], message: 'every column of this group is already required' });
    });
  }
  return out;
}
