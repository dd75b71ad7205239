/**
 * `pnpm audit` with a documented allow-list (audit-allowlist.json at the
 * repository root). Fails on any advisory that is not allowed, and on an
 * allowed one whose review date has passed; says which entries no longer match
 * anything so they can be removed.
 *
 * Usage: pnpm exec tsx .ci/audit-check.ts [--report audit.json]
 * When the registry does not serve the audit endpoint (some mirrors and
 * offline CI answer 405 or nothing), the check says so and passes unless
 * AUDIT_REQUIRED=1, which makes that a failure too.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AllowEntry {
  /** GHSA id (preferred) or the npm advisory number. */
  id: string;
  package: string;
  /** Why the hub is not exposed, or what mitigates it. */
  reason: string;
  /** YYYY-MM-DD: after this date the entry stops counting and the check fails until someone reviews it. */
  reviewBy: string;
}

export interface Advisory {
  id: string;
  package: string;
  severity: string;
  title: string;
  url: string;
}

export interface AuditDecision {
  blocked: Advisory[];
  allowed: Advisory[];
  expired: { advisory: Advisory; entry: AllowEntry }[];
  unused: AllowEntry[];
  ok: boolean;
}

/** Advisories from `pnpm audit --json` (npm's legacy report shape: advisories keyed by id). */
export function advisoriesOf(report: unknown): Advisory[] {
  const advisories = (report as { advisories?: Record<string, Record<string, unknown>> } | null)?.advisories ?? {};
  return Object.entries(advisories).map(([key, a]) => ({
    id: String(a.github_advisory_id ?? a.id ?? key),
    package: String(a.module_name ?? a.name ?? '?'),
    severity: String(a.severity ?? 'unknown'),
    title: String(a.title ?? ''),
    url: String(a.url ?? ''),
  }));
}

/** Checks the allow-list file's entries; names every bad one. */
export function parseAllowlist(text: string): AllowEntry[] {
  const parsed = JSON.parse(text) as { advisories?: unknown };
  if (!Array.isArray(parsed.advisories)) throw new Error('audit-allowlist.json: expected { "advisories": [ ... ] }');
  const problems: string[] = [];
  const entries = parsed.advisories as Partial<AllowEntry>[];
  entries.forEach((e, i) => {
    for (const field of ['id', 'package', 'reason', 'reviewBy'] as const) {
      if (typeof e[field] !== 'string' || !e[field]!.trim()) problems.push(`entry ${i}: ${field} is required`);
    }
    if (typeof e.reviewBy === 'string' && !/^\d{4}-\d{2}-\d{2}$/.test(e.reviewBy)) problems.push(`entry ${i}: reviewBy must be YYYY-MM-DD`);
  });
  if (problems.length) throw new Error(`audit-allowlist.json:\n  ${problems.join('\n  ')}`);
  return entries as AllowEntry[];
}

export function evaluate(advisories: Advisory[], allowlist: AllowEntry[], today: string): AuditDecision {
  const blocked: Advisory[] = [];
  const allowed: Advisory[] = [];
  const expired: AuditDecision['expired'] = [];
  const used = new Set<AllowEntry>();
  for (const advisory of advisories) {
    const entry = allowlist.find((e) => e.id === advisory.id && e.package === advisory.package);
    if (!entry) blocked.push(advisory);
    else {
      used.add(entry);
      if (entry.reviewBy < today) expired.push({ advisory, entry });
      else allowed.push(advisory);
    }
  }
  const unused = allowlist.filter((e) => !used.has(e));
  return { blocked, allowed, expired, unused, ok: blocked.length === 0 && expired.length === 0 };
}

function main(): number {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const allowlist = parseAllowlist(readFileSync(path.join(root, 'audit-allowlist.json'), 'utf8'));
  const reportArg = process.argv.indexOf('--report');
  let report: unknown;
  if (reportArg > 0 && process.argv[reportArg + 1]) {
    report = JSON.parse(readFileSync(process.argv[reportArg + 1]!, 'utf8'));
  } else {
    const run = spawnSync('pnpm', ['audit', '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    try {
      report = JSON.parse(run.stdout);
    } catch {
      const why = `${run.stdout}\n${run.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3).join(' | ');
      const required = process.env.AUDIT_REQUIRED === '1';
      process.stdout.write(`audit: the registry's audit endpoint did not answer (${why.slice(0, 300)}); ${required ? 'AUDIT_REQUIRED=1: failing' : 'skipped (set AUDIT_REQUIRED=1 to fail instead)'}\n`);
      return required ? 1 : 0;
    }
  }
  const decision = evaluate(advisoriesOf(report), allowlist, new Date().toISOString().slice(0, 10));
  for (const a of decision.blocked) process.stdout.write(`audit: NOT ALLOWED ${a.severity} ${a.package} ${a.id}: ${a.title} ${a.url}\n`);
  for (const { advisory, entry } of decision.expired) {
    process.stdout.write(`audit: REVIEW OVERDUE ${advisory.package} ${advisory.id} (allowed until ${entry.reviewBy}: ${entry.reason})\n`);
  }
  for (const a of decision.allowed) process.stdout.write(`audit: allowed ${a.package} ${a.id}\n`);
  for (const e of decision.unused) process.stdout.write(`audit: allow-list entry ${e.package} ${e.id} matches nothing now: remove it\n`);
  process.stdout.write(`audit: ${decision.ok ? 'ok' : 'FAILED'} (${decision.blocked.length} not allowed, ${decision.expired.length} overdue, ${decision.allowed.length} allowed)\n`);
  return decision.ok ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(main());
