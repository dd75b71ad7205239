import { subject as asSubject } from '@casl/ability';
import type { HubAbility, HubAction, HubSubjectName, SubjectModels } from './ability';
import { agreementIdOfReason } from './ability';
import { conditionsToSql, type Conditions, type SqlParams } from './sql-conditions';

type AnyRule = ReturnType<HubAbility['rulesFor']>[number];

/**
 * The condition under which `action` on `subjectType` (optionally one field) is
 * allowed, as SQL. Exactly CASL's decision for each row: rules in priority
 * order (the last defined first), the first rule whose conditions match
 * decides, allow or deny; an unconditional rule decides every row it reaches;
 * no rule matching: false. (CASL's own rulesToQuery is coarser — every deny
 * subtracts from every allow — which only ever refuses more.)
 */
export function allowedSql(
  ability: HubAbility,
  action: HubAction,
  subjectType: HubSubjectName,
  columns: Readonly<Record<string, string>>,
  params: SqlParams,
  field?: string,
): string {
  const rules: AnyRule[] = field === undefined ? ability.rulesFor(action, subjectType) : ability.rulesFor(action, subjectType, field);
  // Rules past the first unconditional one are never reached.
  const end = rules.findIndex((r) => !r.conditions);
  const reached = end < 0 ? rules : rules.slice(0, end + 1);
  const fallthrough = end >= 0 && !reached[end]!.inverted;
  const conditional = reached.filter((r) => r.conditions) as (AnyRule & { conditions: Conditions })[];

  if (conditional.every((r) => !r.inverted)) {
    // Allow rules only (the hub's own abilities): any of them, or everything when an unconditional allow is reached.
    if (fallthrough) return 'true';
    if (conditional.length === 0) return 'false';
    return `(${withoutNarrower(conditional.map((r) => r.conditions)).map((c) => `(${conditionsToSql(c, columns, params)})`).join(' or ')})`;
  }
  // Allow and deny rules: the first match decides, from the last rule reached backwards.
  let sql = fallthrough ? 'true' : 'false';
  for (let i = conditional.length - 1; i >= 0; i--) {
    const r = conditional[i]!;
    // A deny in front of "false" changes nothing: skip it (and its parameters).
    if (r.inverted && sql === 'false') continue;
    const matches = `coalesce((${conditionsToSql(r.conditions, columns, params)}), false)`;
    sql = r.inverted ? `(not ${matches} and ${sql})` : `(${matches} or ${sql})`;
  }
  return sql;
}

/**
 * Drops conditions that only narrow another one (all of its keys with the same
 * values, plus more): in an OR they add nothing but evaluation cost.
 */
function withoutNarrower(conditions: Conditions[]): Conditions[] {
  const keyed = conditions.map((c) => new Map(Object.entries(c).map(([k, v]) => [k, JSON.stringify(v)])));
  const unique = keyed.filter((c, i) => keyed.findIndex((d) => d.size === c.size && [...d].every(([k, v]) => c.get(k) === v)) === i);
  return conditions.filter((_, i) => {
    const c = keyed[i]!;
    if (!unique.includes(c)) return false;
    return !unique.some((d) => d !== c && d.size < c.size && [...d].every(([k, v]) => c.get(k) === v));
  });
}

/** Rules that can grant `action` on the subject type (for explaining and auditing). */
export function grantingRules(ability: HubAbility, action: HubAction, subjectType: HubSubjectName): AnyRule[] {
  return ability.rulesFor(action, subjectType).filter((r) => !r.inverted);
}

/** The agreement (if any) that lets the principal see this row. */
export function agreementFor(ability: HubAbility, action: HubAction, row: SubjectModels['Incident']): number | undefined {
  const rule = ability.relevantRuleFor(action, asSubject('Incident', { ...row }));
  return rule && !rule.inverted ? agreementIdOfReason(rule.reason) : undefined;
}
