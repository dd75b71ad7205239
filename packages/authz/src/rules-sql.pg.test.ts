import { createMongoAbility, subject } from '@casl/ability';
import { createTestDatabase, type TestDatabase } from '@csp-hub/db/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubAbility, SubjectModels } from './ability';
import { allowedSql } from './rules-sql';
import { conditionsToSql, SqlParams, type Conditions } from './sql-conditions';

/**
 * The rule compiler on its own: CASL rules (MongoDB-style conditions, allow and
 * deny) compiled to SQL must select exactly the rows CASL itself allows. The
 * SQL runs on a real PostgreSQL over a table of generated rows; CASL decides the
 * same rows in memory; the two must agree for every generated rule set.
 */

type Row = SubjectModels['Incident'];
const COLUMNS = { agencyId: 't.agency_id', feed: 't.feed', ladCode: 't.lad_code', tier: 't.tier' } as const;

const agencyIds = [1, 2, 3];
const feeds = ['police-street', 'fire-incidents', 'council-asb'];
const ladCodes = ['E07000129', 'E07000130', null];
const tiers = ['aggregate', 'pseudonymised', 'personal'];

/** Every combination of the values above: small enough to check exhaustively, rich enough to tell conditions apart. */
const ROWS: Row[] = agencyIds.flatMap((agencyId) =>
  feeds.flatMap((feed) => ladCodes.flatMap((ladCode) => tiers.map((tier) => ({ agencyId, feed, ladCode, tier })))),
);

const valuesOf: Record<keyof Row, readonly (string | number | null)[]> = { agencyId: agencyIds, feed: feeds, ladCode: ladCodes, tier: tiers };

/** A condition on one field, in each operator form the compiler supports. */
function fieldCondition(field: keyof Row): fc.Arbitrary<unknown> {
  const value = fc.constantFrom(...valuesOf[field]);
  const list = fc.uniqueArray(fc.constantFrom(...valuesOf[field].filter((v) => v !== null)), { maxLength: 3 });
  return fc.oneof(
    value,
    value.map((v) => ({ $eq: v })),
    value.map((v) => ({ $ne: v })),
    list.map((l) => ({ $in: l })),
    list.map((l) => ({ $nin: l })),
  );
}

/** The conditions of one rule: one to three fields, each in one operator form. */
const conditions: fc.Arbitrary<Conditions> = fc
  .subarray(Object.keys(COLUMNS) as (keyof Row)[], { minLength: 1, maxLength: 3 })
  .chain((fields) => fc.tuple(...fields.map((f) => fieldCondition(f))).map((conds) => Object.fromEntries(fields.map((f, i) => [f, conds[i]]))));

interface RuleSpec {
  inverted: boolean;
  conditions: Conditions | undefined;
}
const rule: fc.Arbitrary<RuleSpec> = fc.record({
  inverted: fc.boolean(),
  conditions: fc.option(conditions, { nil: undefined, freq: 8 }),
});

function abilityOf(rules: RuleSpec[]): HubAbility {
  // Raw rules, in definition order (CASL gives the last defined the highest priority).
  return createMongoAbility<HubAbility>(
    rules.map((r) => ({ action: 'read' as const, subject: 'Incident' as const, inverted: r.inverted, ...(r.conditions ? { conditions: r.conditions } : {}) })),
  );
}

describe('rule compiler (CASL conditions to SQL)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('rules_sql', { empty: true });
  });
  afterAll(async () => {
    await db.drop();
  });

  /** The indexes (into ROWS) of the rows the SQL condition selects. */
  async function selected(where: string, params: SqlParams): Promise<number[]> {
    const values = ROWS.map((_, i) => `(${i}, $${params.values.length + 1 + i * 4}::int, $${params.values.length + 2 + i * 4}::text, $${params.values.length + 3 + i * 4}::text, $${params.values.length + 4 + i * 4}::text)`);
    const rowParams = ROWS.flatMap((r) => [r.agencyId, r.feed, r.ladCode, r.tier]);
    const result = await db.pool.query<{ i: number }>(
      `select t.i from (values ${values.join(', ')}) as t(i, agency_id, feed, lad_code, tier) where ${where} order by t.i`,
      [...params.values, ...rowParams],
    );
    return result.rows.map((r) => r.i);
  }

  it('selects exactly the rows CASL allows, for generated allow and deny rules', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rule, { minLength: 0, maxLength: 5 }), async (rules) => {
        const ability = abilityOf(rules);
        const params = new SqlParams();
        const where = allowedSql(ability, 'read', 'Incident', COLUMNS, params);
        const expected = ROWS.flatMap((r, i) => (ability.can('read', subject('Incident', { ...r })) ? [i] : []));
        expect(await selected(where, params)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('a single condition matches as CASL matches it, null values included', async () => {
    await fc.assert(
      fc.asyncProperty(conditions, async (cond) => {
        const ability = abilityOf([{ inverted: false, conditions: cond }]);
        const params = new SqlParams();
        const where = conditionsToSql(cond, COLUMNS, params);
        const expected = ROWS.flatMap((r, i) => (ability.can('read', subject('Incident', { ...r })) ? [i] : []));
        expect(await selected(where, params)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('no rule, or only deny rules, allows nothing', () => {
    expect(allowedSql(abilityOf([]), 'read', 'Incident', COLUMNS, new SqlParams())).toBe('false');
    expect(allowedSql(abilityOf([{ inverted: true, conditions: { agencyId: 1 } }]), 'read', 'Incident', COLUMNS, new SqlParams())).toBe('false');
  });

  it('values travel as parameters, never inside the SQL text', () => {
    const params = new SqlParams();
    const sql = conditionsToSql({ feed: "x' or true --", ladCode: { $in: ["E0'"] } }, COLUMNS, params);
    expect(sql).toBe('t.feed = $1 and t.lad_code = any($2)');
    expect(params.values).toEqual(["x' or true --", ["E0'"]]);
  });

  it('a narrower allow rule adds nothing to the SQL', () => {
    const wide = allowedSql(abilityOf([{ inverted: false, conditions: { agencyId: 1 } }]), 'read', 'Incident', COLUMNS, new SqlParams());
    const both = allowedSql(
      abilityOf([
        { inverted: false, conditions: { agencyId: 1, tier: 'aggregate' } },
        { inverted: false, conditions: { agencyId: 1 } },
      ]),
      'read',
      'Incident',
      COLUMNS,
      new SqlParams(),
    );
    expect(both).toBe(wide);
  });

  it('refuses what it cannot translate rather than widening access', () => {
    expect(() => conditionsToSql({ victimName: 'x' }, COLUMNS, new SqlParams())).toThrow(/unknown field victimName/);
    expect(() => conditionsToSql({ agencyId: { $gt: 1 } }, COLUMNS, new SqlParams())).toThrow(/unsupported operator \$gt/);
    expect(() => conditionsToSql({ agencyId: { $in: 1 } }, COLUMNS, new SqlParams())).toThrow(/\$in needs an array/);
    // CASL's matcher does not read $or inside a rule's conditions (it matches nothing); the compiler refuses it.
    expect(createMongoAbility([{ action: 'read', subject: 'Incident', conditions: { $or: [{ agencyId: 1 }] } }]).can('read', subject('Incident', { ...ROWS[0]! }))).toBe(false);
    expect(() => conditionsToSql({ $or: [{ agencyId: 1 }] }, COLUMNS, new SqlParams())).toThrow(/\$or inside a rule/);
    // A deny rule the compiler cannot read fails the whole condition: it is never dropped.
    const ability = abilityOf([
      { inverted: false, conditions: { agencyId: 1 } },
      { inverted: true, conditions: { agencyId: { $regex: '.' } } as unknown as Conditions },
    ]);
    expect(() => allowedSql(ability, 'read', 'Incident', COLUMNS, new SqlParams())).toThrow(/unsupported operator \$regex/);
  });
});
