import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * No read of shared data bypasses the authorization layer: only packages/authz
 * reads incidents, rejects and the audit log. packages/ingest writes them (its
 * merge reads its own staging and the rows it updates, inside the write), and
 * migrations define them. Everything else must go through @csp-hub/authz.
 */
const root = path.resolve(import.meta.dirname, '..');
const SHARED_TABLES = /\b(from|join|update|into)\s+"?(incident|ingest_reject|audit_log|isp_agreement)\b/i;
const SHARED_ENTITIES = /\bem\.(find|findOne|findOneOrFail|findAndCount|count|nativeUpdate|nativeDelete)\(\s*(Incident|IngestReject|AuditEntry)\b/;
const DIRECT_SQL = /\.(query|execute|getKnex|getConnection)\(/;
const ALLOWED = [/^packages\/authz\/src\//, /^packages\/ingest\/src\//, /^packages\/db\/src\/migrations\//, /^packages\/db\/src\/seed\//];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(full).isDirectory()) return sources(full);
    return full.endsWith('.ts') && !full.endsWith('.test.ts') && !full.includes(`${path.sep}testing${path.sep}`) ? [full] : [];
  });
}

describe('architecture', () => {
  it('reads shared data only through packages/authz', () => {
    const offenders: string[] = [];
    for (const base of ['packages', 'services']) {
      for (const file of sources(path.join(root, base))) {
        const rel = path.relative(root, file);
        if (ALLOWED.some((a) => a.test(rel))) continue;
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (SHARED_TABLES.test(line) || SHARED_ENTITIES.test(line)) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
          });
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the gateway issues no SQL of its own outside its infrastructure files', () => {
    // Handlers (GraphQL resolvers, HTTP routes, CLI commands) reach data through
    // packages; the few gateway files that talk to PostgreSQL directly hold no
    // shared data: rate-limit counters, the checkpoint schedule's advisory lock,
    // the pool gauges and the readiness probe.
    const INFRASTRUCTURE = ['services/gateway/src/http/rate-limit.ts', 'services/gateway/src/audit-checkpoints.ts', 'services/gateway/src/app.ts', 'services/gateway/src/http/health.ts'];
    const offenders: string[] = [];
    for (const file of sources(path.join(root, 'services'))) {
      const rel = path.relative(root, file);
      if (INFRASTRUCTURE.includes(rel)) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (DIRECT_SQL.test(line)) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
    expect(DIRECT_SQL.test("await pool.query('select 1')")).toBe(true);
    expect(DIRECT_SQL.test('em.getConnection().execute(sql)')).toBe(true);
  });

  it('the guard itself notices a direct read', () => {
    expect(SHARED_TABLES.test('select * from incident where id = 1')).toBe(true);
    expect(SHARED_TABLES.test('left join ingest_reject r on true')).toBe(true);
    expect(SHARED_ENTITIES.test('await em.find(Incident, {})')).toBe(true);
    expect(SHARED_TABLES.test('select count(*) from area')).toBe(false);
  });
});
