import { HubError } from '@csp-hub/taxonomy';

/**
 * Compiles the conditions of one CASL rule — the MongoDB-style field operators
 * CASL's matcher evaluates (field equality, $eq, $ne, $in, $nin) — into
 * parameterised SQL over whitelisted columns, with CASL's semantics (a null
 * field is "not equal" to any value and "not in" any list). Unknown fields or
 * operators throw: a rule we cannot translate must never widen access. So do
 * $and/$or/$nor inside a rule: CASL's matcher does not read them as operators
 * (it matches no row), so the SQL must not either. Rules are combined by
 * `allowedSql` (rules-sql.ts), as CASL's rulesToQuery combines them.
 */
export type Conditions = Record<string, unknown>;

export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

function column(columns: Readonly<Record<string, string>>, field: string): string {
  const col = columns[field];
  if (!col) throw new HubError('other', 'AUTHZ_UNKNOWN_FIELD', `authorization condition names unknown field ${field}`);
  return col;
}

function fieldCondition(col: string, value: unknown, params: SqlParams): string {
  if (value === null) return `${col} is null`;
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return `${col} = ${params.add(value)}`;
  const parts: string[] = [];
  for (const [op, operand] of Object.entries(value as Record<string, unknown>)) {
    switch (op) {
      case '$eq':
        parts.push(operand === null ? `${col} is null` : `${col} = ${params.add(operand)}`);
        break;
      case '$ne':
        parts.push(operand === null ? `${col} is not null` : `${col} is distinct from ${params.add(operand)}`);
        break;
      case '$in': {
        if (!Array.isArray(operand)) throw new HubError('other', 'AUTHZ_BAD_CONDITION', `$in needs an array`);
        parts.push(operand.length === 0 ? 'false' : `${col} = any(${params.add(operand)})`);
        break;
      }
      case '$nin': {
        if (!Array.isArray(operand)) throw new HubError('other', 'AUTHZ_BAD_CONDITION', `$nin needs an array`);
        parts.push(operand.length === 0 ? 'true' : `(${col} is null or not (${col} = any(${params.add(operand)})))`);
        break;
      }
      default:
        throw new HubError('other', 'AUTHZ_BAD_CONDITION', `authorization condition uses unsupported operator ${op}`);
    }
  }
  return parts.length === 0 ? 'true' : parts.join(' and ');
}

export function conditionsToSql(conditions: Conditions, columns: Readonly<Record<string, string>>, params: SqlParams): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(conditions)) {
    if (key.startsWith('$')) {
      throw new HubError('other', 'AUTHZ_BAD_CONDITION', `authorization condition uses ${key} inside a rule: write one rule per alternative instead`);
    }
    parts.push(fieldCondition(column(columns, key), value, params));
  }
  return parts.length === 0 ? 'true' : parts.join(' and ');
}
