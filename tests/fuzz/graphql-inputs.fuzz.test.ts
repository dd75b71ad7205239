import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEmail } from '@csp-hub/db';
import { startTestHub, type TestHub } from '../support/hub';
import { capturedLogger, LEVEL } from '../e2e/faults/support';

/**
 * Property test of every GraphQL query and mutation argument (issue #14):
 * random variables, some well-formed, some of the wrong type, size or shape,
 * sent by a partnership chair and an analyst. The hub must answer every one
 * without a 5xx and without INTERNAL_SERVER_ERROR: bad input is a clear error
 * with a code. The schema comes from the committed schema.graphql.
 */
const schema = buildSchema(readFileSync(path.resolve(import.meta.dirname, '../../services/gateway/schema.graphql'), 'utf8'));
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);

const strings = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('', ' ', '2024-01', '2024-13', '1999-02-30', '2024-01-15', 'E07000130', 'E01025672', 'police.street', 'council.asb', 'violence', '0', '-1', '99999999999999999999', 'null', "'; drop table incident; --", '\u0000', 'x'.repeat(600)),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);
const ints = fc.oneof(fc.integer({ min: -5, max: 120 }), fc.integer(), fc.constantFrom(0, 1, 100, 101, 1000, 1001, 2 ** 31 - 1, -(2 ** 31)));
const anything = fc.oneof(fc.constant(null), fc.boolean(), fc.double(), fc.string({ maxLength: 10 }), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }));

/** A value for an input type: mostly of the right shape, sometimes of the wrong one. */
function valueFor(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  const shaped = shapedValue(type, depth);
  return fc.oneof({ arbitrary: shaped, weight: 8 }, { arbitrary: anything, weight: 1 });
}

function shapedValue(type: GraphQLInputType, depth: number): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return shapedValue(type.ofType as GraphQLInputType, depth);
  if (isListType(type)) return fc.array(valueFor(type.ofType as GraphQLInputType, depth + 1), { maxLength: depth > 2 ? 1 : 6 });
  if (isEnumType(type)) return fc.oneof(fc.constantFrom(...type.getValues().map((v) => v.name)), fc.string({ maxLength: 8 }));
  if (isInputObjectType(type)) {
    if (depth > 3) return fc.constant({});
    const fields = type.getFields();
    const record: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, field] of Object.entries(fields)) record[name] = valueFor(field.type, depth + 1);
    const required = Object.entries(fields).filter(([, f]) => isNonNullType(f.type)).map(([n]) => n);
    return fc.tuple(fc.record(record, { requiredKeys: required }), fc.subarray(required), fc.option(fc.string({ maxLength: 6 }), { nil: undefined })).map(([value, drop, extra]) => {
      const out: Record<string, unknown> = { ...value };
      for (const n of drop.slice(0, 1)) delete out[n]; // sometimes a required field is missing
      if (extra) out[`x_${extra}`] = 1; // sometimes one the schema does not know
      return out;
    });
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return ints;
      case 'Float':
        return fc.oneof(fc.double(), ints);
      case 'Boolean':
        return fc.boolean();
      case 'ID':
        return fc.oneof(fc.nat({ max: 5000 }).map(String), strings);
      default:
        return strings;
    }
  }
  return anything;
}

/** The smallest selection that is valid for a field's type. */
function selection(field: GraphQLField<unknown, unknown>): string {
  return isObjectType(getNamedType(field.type)) ? ' { __typename }' : '';
}

interface Operation {
  kind: 'query' | 'mutation';
  field: GraphQLField<unknown, unknown>;
}

function operations(): Operation[] {
  const out: Operation[] = [];
  for (const [kind, root] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()]] as const) {
    for (const field of Object.values((root as GraphQLObjectType | null | undefined)?.getFields() ?? {})) out.push({ kind, field });
  }
  return out;
}

function document(op: Operation): string {
  const args = op.field.args;
  const vars = args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const call = args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
  return `${op.kind} Fuzz${vars ? `(${vars})` : ''} { ${op.field.name}${call}${selection(op.field)} }`;
}

describe('GraphQL inputs under random variables', () => {
  let hub: TestHub;
  const tokens: Record<'chair' | 'analyst', string> = { chair: '', analyst: '' };
  const log = capturedLogger('warn');
  beforeAll(async () => {
    hub = await startTestHub('fuzz-graphql', { logger: log.logger });
    tokens.chair = await hub.tokenFor(demoEmail('charnwood', 'district.chair'));
    tokens.analyst = await hub.tokenFor(demoEmail('charnwood', 'police.analyst'));
  });
  afterAll(async () => hub?.stop());

  const ops = operations();

  it('finds every query and mutation in the committed schema', () => {
    expect(ops.length).toBeGreaterThanOrEqual(15);
    expect(ops.map((o) => o.field.name)).toEqual(expect.arrayContaining(['incidents', 'incidentCounts', 'createAgreement', 'setAgreementStatus', 'areas']));
  });

  it.each(ops.map((o) => [`${o.kind} ${o.field.name}`, o] as const))('%s: never a 5xx, never INTERNAL_SERVER_ERROR', async (_name, op) => {
    const query = document(op);
    const variables: Record<string, fc.Arbitrary<unknown>> = {};
    for (const a of op.field.args) variables[a.name] = fc.option(valueFor(a.type), { nil: undefined, freq: 8 });
    await fc.assert(
      fc.asyncProperty(fc.record(variables), fc.constantFrom<('chair' | 'analyst')[]>('chair', 'analyst'), async (vars, who) => {
        const res = await fetch(`${hub.base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[who]}` },
          body: JSON.stringify({ query, variables: vars }),
        });
        const text = await res.text();
        expect(res.status, `${query} ${JSON.stringify(vars).slice(0, 300)} -> ${text.slice(0, 300)}`).toBeLessThan(500);
        const body = JSON.parse(text) as { errors?: { message: string; extensions?: { code?: string } }[] };
        for (const e of body.errors ?? []) {
          expect(e.extensions?.code, `${query} ${JSON.stringify(vars).slice(0, 300)} -> ${e.message}`).toBeTypeOf('string');
          expect(e.extensions?.code, `${query} ${JSON.stringify(vars).slice(0, 300)} -> ${e.message}`).not.toBe('INTERNAL_SERVER_ERROR');
          expect(e.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it.each([
    ['a NUL byte in a filter', '{ submissions(feed: "\\u0000") { id } }', 'INVALID_FILTER'],
    ['an agency id that is not a number', '{ submissions(agencyId: "abc") { id } }', 'INVALID_FILTER'],
    ['an agency id past the integer range', '{ submissions(agencyId: "99999999999999999999") { id } }', 'INVALID_FILTER'],
    ['an unknown submission status', '{ submissions(status: "lost") { id } }', 'INVALID_FILTER'],
    ['a NUL byte in an incident filter', '{ incidentCount(filter: { outcome: "\\u0000" }) }', 'INVALID_VALUE'],
  ])('found by fuzzing: %s is BAD_USER_INPUT, not a 500', async (_label, query, reason) => {
    const { status, body } = await hub.gql(query, { token: tokens.chair });
    expect(status).toBeLessThan(500);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason });
  });

  it('logged nothing at error level', () => {
    expect(log.lines.filter((l) => l.level >= LEVEL.error).map((l) => `${l.msg} ${l.err?.message ?? ''} ${JSON.stringify(l.path ?? '')}`)).toEqual([]);
  });
});
