import { trends, type ComparisonBase, type TrendAreaLevel } from '@csp-hub/insight';
import { HubError } from '@csp-hub/taxonomy';
import { stringOption } from './command';
import { controlNote, pct, pValue, SCOPE_USAGE, table, write, type AnalysisSubcommand } from './analysis-common';

const BASES: ComparisonBase[] = ['previous', 'lastYear', 'seasonal'];

/** `csp-hub analysis trends`: what changed, per category and area, ranked by significance. */
export const analysisTrends: AnalysisSubcommand = {
  name: 'trends',
  usage:
    `  analysis trends ${SCOPE_USAGE}\n` +
    '                  [--by district|ward] [--against previous|lastYear|seasonal] [--alpha <0..1>]\n' +
    '                                      each category against the previous period, last year and the 3-year seasonal\n' +
    '                                      average, ranked by the evidence of change (p, then |z|), with q-values',
  options: { by: { type: 'string' }, against: { type: 'string' }, alpha: { type: 'string' } },
  async run({ values, ctx, period, scope, json }) {
    const by = (stringOption(values, 'by') ?? 'district') as TrendAreaLevel;
    const against = (stringOption(values, 'against') ?? 'seasonal') as ComparisonBase;
    if (!BASES.includes(against)) throw HubError.invalidInput('BAD_ARGUMENTS', `--against must be one of ${BASES.join(', ')}`);
    const alphaText = stringOption(values, 'alpha');
    const alpha = alphaText === undefined ? 0.05 : Number(alphaText);
    const result = await trends(ctx, { period, ...scope, by, against, alpha });
    const rows = [['rank', 'level', 'area', 'category', 'count', 'previous', 'change', 'last year', 'change', 'seasonal', 'change', `p (${against})`, 'q', 'limits', 'flag']];
    for (const r of result.rows) {
      const base = r[against];
      rows.push([
        String(r.rank),
        r.level,
        r.areaCode,
        r.category,
        String(r.current),
        r.previous ? String(r.previous.baseCount) : '-',
        pct(r.previous?.changePct),
        r.lastYear ? String(r.lastYear.baseCount) : '-',
        pct(r.lastYear?.changePct),
        r.seasonal ? r.seasonal.expected.toFixed(1) : '-',
        pct(r.seasonal?.changePct),
        pValue(base?.pValue),
        pValue(r.qValue),
        r.exceedance ?? '-',
        r.significant ? (base!.change > 0 ? 'RISE' : 'FALL') : '',
      ]);
    }
    const header = `Trends for ${result.partnership} (${result.districts.join(', ')}), ${period.from}..${period.to} against ${result.previousPeriod.from}..${result.previousPeriod.to}, last year and the seasonal average${
      result.periodsWithoutData.length ? `\nNo data for: ${result.periodsWithoutData.join(', ')}` : ''
    }`;
    write(json, result, `${header}\n\n${table(rows)}${controlNote(result.controlled)}`);
    return 0;
  },
};
