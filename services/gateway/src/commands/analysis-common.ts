import type { AccessContext } from '@csp-hub/authz';
import { findDistrictBoundaries, parsePeriod, type AnalysisScope, type DistrictBoundaries, type MonthPeriod } from '@csp-hub/insight';
import { HubError } from '@csp-hub/taxonomy';
import { listOption, requireOption, userContext } from './actor';
import { stringOption, type CommandInput, type CommandOptions } from './command';
import { withHub } from './hub-session';

/** One `csp-hub analysis <name>` subcommand: its own usage and options; run gets the user's access context. */
export interface AnalysisSubcommand {
  name: string;
  usage: string;
  options: CommandOptions;
  run(input: AnalysisInput): Promise<number>;
}

export interface AnalysisInput {
  values: CommandInput['values'];
  ctx: AccessContext;
  period: MonthPeriod;
  scope: AnalysisScope;
  json: boolean;
  /** District boundaries from CSP_HUB_REFERENCE_DIR, when it has them. */
  boundaries: DistrictBoundaries | undefined;
}

/** Options every analysis takes. */
export const SCOPE_OPTIONS: CommandOptions = {
  as: { type: 'string' },
  partnership: { type: 'string' },
  period: { type: 'string' },
  category: { type: 'string', multiple: true },
  district: { type: 'string', multiple: true },
  feed: { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
};

export const SCOPE_USAGE = '--as <e-mail> --partnership <code> --period <YYYY-MM>..<YYYY-MM> [--category <priority,...>] [--district <LAD code,...>] [--feed <feed,...>] [--json]';

/** Runs a subcommand as the user named by --as, for the partnership named by --partnership (it must be theirs). */
export async function runAnalysis(sub: AnalysisSubcommand, input: CommandInput): Promise<number> {
  const { values, config, logger } = input;
  const asEmail = requireOption(stringOption(values, 'as'), `analysis ${sub.name} runs as a hub user: add --as <e-mail>`);
  const partnership = requireOption(stringOption(values, 'partnership'), `analysis ${sub.name} needs --partnership <CSP code>, e.g. E22000165`);
  const period = parsePeriod(requireOption(stringOption(values, 'period'), `analysis ${sub.name} needs --period <from>..<to>, e.g. 2024-01..2024-03`));
  const scope: AnalysisScope = { partnership, categories: listOption(values.category), districts: listOption(values.district), feeds: listOption(values.feed) };
  return withHub(config, logger, async (hub) => {
    const ctx = await userContext(hub, asEmail);
    return sub.run({ values, ctx, period, scope, json: values.json === true, boundaries: findDistrictBoundaries(config.CSP_HUB_REFERENCE_DIR) });
  });
}

/** A whole-number option within bounds, or undefined. */
export function intOption(values: CommandInput['values'], name: string): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,6}$/.test(raw)) throw HubError.invalidInput('BAD_ARGUMENTS', `--${name} must be a whole number, not "${raw}"`);
  return Number(raw);
}

/** Left-aligned text columns, right-aligned numbers. */
export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const numeric = rows[0]!.map((_, i) => rows.slice(1).every((r) => /^[-+]?[\d.,%]+$|^-$|^$/.test(r[i] ?? '')));
  return rows.map((r) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export function fixed(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? '-' : value.toFixed(digits);
}

export function pct(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : `${value > 0 ? '+' : ''}${value.toFixed(1)}%`;
}

export function pValue(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return value < 0.0001 ? '<0.0001' : value.toFixed(4);
}

export function controlNote(controlled: boolean): string {
  return controlled ? '\nCounts include records you may only count: they are perturbed (cell-key disclosure control).' : '';
}

export function write(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}
