import { getPartnershipByCode } from '@csp-hub/authz';
import { listTargets, measureTarget, type TargetMeasurement } from '@csp-hub/insight';
import { HubError } from '@csp-hub/taxonomy';
import { stringOption, type CommandInput, type CommandOptions } from './command';
import { cellKeyOf } from '../config';
import { withHub } from './hub-session';
import { print, requireOption, userContext } from './actor';

/**
 * `csp-hub analysis targets`: a partnership's priority targets with progress, measured as the named
 * user sees the data (their agreements, disclosure control where they may only count), as GraphQL's
 * `targets` query does.
 */
export const usage =
  '  analysis targets --as <e-mail> --partnership <csp code> [--as-of <YYYY-MM-DD>] [--json]\n' +
  "                                      the partnership's priority targets with progress (trajectory, latest actual,\n" +
  '                                      RAG, share of the change achieved) as that user sees the data';

export const options: CommandOptions = {
  as: { type: 'string' },
  partnership: { type: 'string' },
  'as-of': { type: 'string' },
  json: { type: 'boolean', default: false },
};

const fmt = (n: number | null | undefined, digits = 1) => (n === null || n === undefined ? '-' : n.toLocaleString('en-GB', { maximumFractionDigits: digits }));

function describe(m: TargetMeasurement): string {
  const t = m.target;
  const p = m.progress;
  const lines = [
    `${t.title}  [target ${t.id}]`,
    `  ${t.kind}, ${t.direction === 'down' ? `-${t.changePct}%` : `+${t.changePct}%`} from ${fmt(t.baselineValue)} (${t.baselinePeriod}) to ${fmt(p.targetValue)} by ${t.targetDate}`,
    `  latest ${p.actual ? `${fmt(p.actual.value)} (to ${p.actual.date})` : 'none'}, expected ${fmt(p.expected)}: ${p.status.toUpperCase()}${p.rag ? ` (${p.rag})` : ''}` +
      `${p.shareAchieved === null ? '' : `, ${fmt(Math.round(p.shareAchieved * 100) || 0, 0)}% of the change achieved`}`,
  ];
  if (m.controlled) lines.push('  counts perturbed (disclosure control): you may only count some of these records');
  if (t.provenance?.rebased) lines.push(`  plan: "${t.provenance.planWording}". ${t.provenance.rebased}`);
  return lines.join('\n');
}

export async function run({ values, config, logger }: CommandInput): Promise<number> {
  const email = requireOption(stringOption(values, 'as'), 'analysis targets needs --as <e-mail>: progress is measured as that user sees the data');
  const code = requireOption(stringOption(values, 'partnership'), 'analysis targets needs --partnership <csp code>');
  const asOf = stringOption(values, 'as-of');
  if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw HubError.invalidInput('BAD_ARGUMENTS', `--as-of must be a date YYYY-MM-DD, got "${asOf}"`);
  const json = values.json === true;
  return withHub(config, logger, async (hub) => {
    const ctx = await userContext(hub, email);
    const partnership = await getPartnershipByCode(ctx.em, code);
    const measured: TargetMeasurement[] = [];
    for (const t of await listTargets(ctx, partnership.id)) measured.push(await measureTarget(ctx, t, { ...(asOf ? { asOf } : {}), cellKey: cellKeyOf(config) }));
    print(json, measured, measured.length ? measured.map(describe).join('\n\n') : `${partnership.name} has no active targets`);
    return 0;
  });
}

export const targetsAnalysis = { name: 'targets', usage, options, run };
