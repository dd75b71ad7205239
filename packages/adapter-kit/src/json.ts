import { JSONParser } from '@streamparser/json';
import { HubError } from '@csp-hub/taxonomy';
import { decodeText, type ByteSource } from './decode';

export interface JsonElement {
  /** 1-based position in the root array (1 for a single root object). */
  row: number;
  value: unknown;
}

/**
 * Streams the elements of a root JSON array (or a single root object) without
 * holding the document: each element is parsed and handed on as it completes.
 */
export async function* readJsonElements(source: ByteSource, feedLabel: string): AsyncGenerator<JsonElement[]> {
  let parser: JSONParser | undefined;
  let row = 0;
  let out: JsonElement[] = [];
  let sawRoot = false;
  const push = (value: unknown): void => {
    row += 1;
    out.push({ row, value });
  };
  try {
    for await (const text of decodeText(source, 'utf-8')) {
      if (!parser) {
        const first = /\S/.exec(text)?.[0];
        if (first === undefined) continue;
        if (first !== '[' && first !== '{') {
          throw HubError.invalidInput('WRONG_FORMAT', `This is not a ${feedLabel} JSON file: it must start with [ or {.`);
        }
        sawRoot = true;
        parser = new JSONParser({ paths: [first === '[' ? '$.*' : '$'], keepStack: false });
        parser.onValue = ({ value }) => push(value);
      }
      parser.write(text);
      if (out.length >= 500) {
        yield out;
        out = [];
      }
    }
    if (!sawRoot) throw HubError.invalidInput('EMPTY_FILE', `The file is empty: a ${feedLabel} JSON file holds an array or an object.`);
    if (parser && !parser.isEnded) parser.end();
  } catch (error) {
    if (error instanceof HubError) throw error;
    throw HubError.invalidInput(
      'MALFORMED_JSON',
      `The ${feedLabel} JSON cannot be read after element ${row}: ${error instanceof Error ? error.message : String(error)}. Nothing was stored.`,
      { row },
    );
  }
  if (out.length > 0) yield out;
}

/** A property path of an unknown JSON value as a string, or '' when absent/null. */
export function jsonText(value: unknown, ...path: string[]): string {
  let current: unknown = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[key];
  }
  if (current === null || current === undefined) return '';
  return typeof current === 'string' ? current : typeof current === 'number' || typeof current === 'boolean' ? String(current) : '';
}
