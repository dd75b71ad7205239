import { closest, distance } from 'fastest-levenshtein';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { HubError } from '@csp-hub/taxonomy';
import { KNOWN_FIELDS, layoutSchema, type LayoutDefinition } from './schema';
import type { TransformRegistry } from './transforms';

/** One problem in a layout file: where (1-based line, dotted path) and what. */
export interface LayoutIssue {
  line: number | null;
  path: string;
  message: string;
}

/** Largest layout file accepted (characters). */
export const MAX_LAYOUT_CHARS = 256 * 1024;

export interface ParseLayoutOptions {
  /** Named in every message, e.g. fire-acme.yaml. */
  fileName: string;
  transforms: TransformRegistry;
}

/**
 * Reads a layout written as YAML or JSON (the `yaml` package reads both) and
 * validates it against the schema, which also checks date formats for their
 * use, transforms and which fields go together. Throws HubError invalid_input
 * INVALID_LAYOUT listing every problem, each as `file line N, path: message`.
 */
export function parseLayout(text: string, options: ParseLayoutOptions): LayoutDefinition {
  const result = validateLayoutText(text, options);
  if (!result.ok) throw layoutError(options.fileName, result.issues);
  return result.definition;
}

export type LayoutValidation = { ok: true; definition: LayoutDefinition } | { ok: false; issues: LayoutIssue[] };

/** Like parseLayout, but returns the problems instead of throwing. */
export function validateLayoutText(text: string, options: ParseLayoutOptions): LayoutValidation {
  if (text.length > MAX_LAYOUT_CHARS) {
    return { ok: false, issues: [{ line: null, path: '', message: `the file is larger than ${MAX_LAYOUT_CHARS / 1024} KB; a layout is a short description of columns` }] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({ line: lineCounter.linePos(e.pos[0]).line, path: '', message: `not valid YAML or JSON: ${firstLine(e.message)}` })),
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    return { ok: false, issues: [{ line: null, path: '', message: `cannot be read: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, issues: [{ line: 1, path: '', message: 'a layout is a mapping of fields (id, label, feed, header, columns ...)' }] };
  }
  const parsed = layoutSchema(options.transforms).safeParse(raw);
  if (!parsed.success) {
    return { ok: false, issues: sortIssues(parsed.error.issues.flatMap((issue) => schemaIssue(issue, raw, doc, lineCounter))) };
  }
  return { ok: true, definition: parsed.data };
}

/** The HubError for a layout's problems: a count, then one line per problem. */
export function layoutError(fileName: string, issues: readonly LayoutIssue[]): HubError {
  const lines = issues.map((i) => formatIssue(fileName, i));
  const head = `${fileName} is not a valid layout (${issues.length} problem${issues.length === 1 ? '' : 's'}):`;
  return HubError.invalidInput('INVALID_LAYOUT', `${head}\n${lines.join('\n')}`, { issues: issues.map((i) => ({ ...i })) });
}

/** `fire-acme.yaml line 14, columns.occurredAt.format: unknown date format "dd/mm/yy hh"`. */
export function formatIssue(fileName: string, issue: LayoutIssue): string {
  const where = issue.line === null ? fileName : `${fileName} line ${issue.line}`;
  return issue.path ? `${where}, ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

function sortIssues(issues: LayoutIssue[]): LayoutIssue[] {
  return issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

type Segment = string | number;

/**
 * The line of the deepest node the path reaches in the YAML document, and the
 * path as the author wrote it: a shorthand (`wardName: Ward` standing for
 * `wardName: { column: [Ward] }`) ends the path at the scalar the author typed.
 */
function locate(path: readonly Segment[], doc: Document, lines: LineCounter): { line: number | null; path: Segment[] } {
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as Node | null)?.range?.[0];
  const shown: Segment[] = [];
  for (const segment of path) {
    // A single value where a list was expected stands for a list of one.
    if (segment === 0 && !isSeq(node)) continue;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      shown.push(segment);
      if (!pair) return { line: offset === undefined ? null : lines.linePos(offset).line, path: shown };
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      shown.push(segment);
      const item = node.items[segment];
      if (item === undefined) return { line: offset === undefined ? null : lines.linePos(offset).line, path: shown };
      offset = (item as Node).range?.[0] ?? offset;
      node = item;
    } else {
      // A scalar standing for a longer form: the author's path ends here.
      break;
    }
  }
  return { line: offset === undefined ? null : lines.linePos(offset).line, path: shown };
}

function dotted(path: readonly Segment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function located(path: readonly Segment[], message: string, doc: Document, lines: LineCounter): LayoutIssue {
  const at = locate(path, doc, lines);
  return { line: at.line, path: dotted(at.path), message };
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const s of path) {
    // A single value where a list was expected stands for a list of one.
    if (s === 0 && !Array.isArray(v)) continue;
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[s as string];
  }
  return v;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  return String(value);
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

function didYouMean(key: string): string {
  const k = key.toLowerCase();
  const prefixed = KNOWN_FIELDS.filter((f) => f.toLowerCase().startsWith(k) || k.startsWith(f.toLowerCase()));
  const near = closest(key, prefixed.length > 0 ? prefixed : [...KNOWN_FIELDS]);
  return near && (prefixed.length > 0 || distance(key, near) <= Math.max(2, Math.floor(key.length / 3))) ? ` (did you mean "${near}"?)` : '';
}

function schemaIssue(issue: z.core.$ZodIssue, raw: unknown, doc: Document, lines: LineCounter): LayoutIssue[] {
  const path = issue.path.map((s) => (typeof s === 'number' ? s : String(s)));
  const value = valueAt(raw, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => located([...path, key], `unknown field "${key}"${didYouMean(key)}`, doc, lines));
    case 'invalid_type':
      if (value === undefined) return [located(path, 'is required', doc, lines)];
      return [located(path, `expected ${EXPECTED[issue.expected] ?? issue.expected}, found ${describe(value)}`, doc, lines)];
    case 'invalid_value': {
      const options = issue.values.map((v) => String(v));
      const near = typeof value === 'string' ? closest(value, options) : undefined;
      const hint = near && typeof value === 'string' && distance(value, near) <= 3 ? ` (did you mean "${near}"?)` : '';
      const list = options.length > 12 ? `${options.slice(0, 12).join(', ')} ...` : options.join(', ');
      return [located(path, `${describe(value)} is not one of: ${list}${hint}`, doc, lines)];
    }
    case 'too_small':
      if (issue.origin === 'string') return [located(path, Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${String(issue.minimum)} characters`, doc, lines)];
      if (issue.origin === 'array') return [located(path, `needs at least ${String(issue.minimum)} item${Number(issue.minimum) === 1 ? '' : 's'}`, doc, lines)];
      return [located(path, `must be at least ${String(issue.minimum)}`, doc, lines)];
    case 'too_big':
      if (issue.origin === 'string') return [located(path, `must be at most ${String(issue.maximum)} characters`, doc, lines)];
      if (issue.origin === 'array') return [located(path, `has more than ${String(issue.maximum)} items`, doc, lines)];
      return [located(path, `must be at most ${String(issue.maximum)}`, doc, lines)];
    case 'invalid_key':
      return [located(path, `the name "${String(path[path.length - 1])}" is not allowed: ${issue.issues.map((i) => i.message).join('; ')}`, doc, lines)];
    case 'invalid_element':
      return [located(path, issue.issues.map((i) => i.message).join('; '), doc, lines)];
    default:
      return [located(path, issue.message, doc, lines)];
  }
}
