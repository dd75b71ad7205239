import { subject as asSubject } from '@casl/ability';
import type { HubAbility, HubAction, HubSubjectName, SubjectModels } from './ability';
import { agreementIdOfReason } from './ability';
import { conditionsToSql, type Conditions, type SqlParams } from './sql-conditions';

type AnyRule = ReturnType<HubAbility['rulesFor']>[number];

/**
 * The condition under which `action` on `subjectType` (optionally one field) is
 * allowed, as SQL. Mirrors CASL's rulesToQuery: rules in priority order, an
 * unconditional allow ends the search, inverted rules subtract. No rule: false.
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
  const allow: Conditions[] = [];
  const deny: Conditions[] = [];
  let unconditional = false;
  for (const rule of rules) {
    const conditions = rule.conditions as Conditions | undefined;
    if (!conditions) {
      if (rule.inverted) break;
      unconditional = true;
      break;
    }
    (rule.inverted ? deny : allow).push(conditions);
  }
  if (!unconditional && allow.length === 0) return 'false';
  const query: Conditions = {};
  if (!unconditional) query.$or = withoutNarrower(allow);
  if (deny.length > 0) query.$nor = deny;
  return conditionsToSql(query, columns, params);
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
