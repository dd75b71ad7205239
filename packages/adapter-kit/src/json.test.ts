import { describe, expect, it } from 'vitest';
import { HubError } from '@csp-hub/taxonomy';
import { readJsonElements } from './json';
import { bytesOf } from './source';

async function all(text: string, chunk = 3) {
  const out: unknown[] = [];
  for await (const batch of readJsonElements(bytesOf(text, chunk), 'test')) out.push(...batch.map((e) => [e.row, e.value]));
  return out;
}

describe('readJsonElements', () => {
  it('streams the elements of a root array, across tiny chunks', async () => {
    expect(await all('[{"a":1},{"a":"é"}, 3]\n')).toEqual([[1, { a: 1 }], [2, { a: 'é' }], [3, 3]]);
  });

  it('reads a single root object as one element', async () => {
    expect(await all('  {"a": [1, 2]}\n\n')).toEqual([[1, { a: [1, 2] }]]);
  });

  it('refuses truncated, malformed, trailing-garbage and non-JSON input', async () => {
    for (const text of ['[{"a":1},{"a":', '[{"a":1}}', '[1] [2]', 'Crime ID,Month\n']) {
      const error = await all(text).catch((e: unknown) => e);
      expect(error, text).toBeInstanceOf(HubError);
      expect(['MALFORMED_JSON', 'WRONG_FORMAT']).toContain((error as HubError).reason);
    }
    expect(((await all('').catch((e: unknown) => e)) as HubError).reason).toBe('EMPTY_FILE');
  });
});
