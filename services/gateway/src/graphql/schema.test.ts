import { readFileSync } from 'node:fs';
import path from 'node:path';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildHubSchema } from './schema';

describe('GraphQL schema', () => {
  it('matches the committed schema.graphql (regenerate with: pnpm csp-hub schema > services/gateway/schema.graphql)', async () => {
    const committed = readFileSync(path.resolve(import.meta.dirname, '../../schema.graphql'), 'utf8');
    expect(`${printSchema(await buildHubSchema())}\n`).toBe(committed);
  });

  it('offers no way to sort or filter on fields a reader may not see', async () => {
    const schema = await buildHubSchema();
    const filter = schema.getType('IncidentFilter');
    const fields = filter && 'getFields' in filter ? Object.keys(filter.getFields()) : [];
    expect(fields.sort()).toEqual(['agencyIds', 'categories', 'feeds', 'ladCodes', 'lsoaCodes', 'monthFrom', 'monthTo', 'outcome', 'wardCodes']);
    const incidents = schema.getQueryType()!.getFields().incidents!;
    expect(incidents.args.map((a) => a.name).sort()).toEqual(['after', 'filter', 'first']);
  });
});
