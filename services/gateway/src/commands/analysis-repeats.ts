import { repeats } from '@csp-hub/insight';
import { controlNote, fixed, intOption, SCOPE_USAGE, table, write, type AnalysisSubcommand } from './analysis-common';

/** `csp-hub analysis repeats`: locations hit two or more times in the period (and victims, personal tier only). */
export const analysisRepeats: AnalysisSubcommand = {
  name: 'repeats',
  usage:
    `  analysis repeats ${SCOPE_USAGE}\n` +
    '                  [--top <n>] [--victims]\n' +
    '                                      repeat locations with the days between repeats; --victims needs personal-tier data',
  options: { top: { type: 'string' }, victims: { type: 'boolean', default: false } },
  async run({ values, ctx, period, scope, json }) {
    const top = intOption(values, 'top');
    const result = await repeats(ctx, { period, ...scope, ...(top !== undefined ? { top } : {}), victims: values.victims === true });
    const l = result.locations;
    const rows = [['location', 'LSOA', 'count', 'first', 'last', 'median gap (days)', 'min gap (days)'], ...l.repeats.map((r) => [
      r.locationText, r.lsoaCode ?? '-', String(r.count), r.first.slice(0, 10), r.last.slice(0, 10), fixed(r.medianGapDays), fixed(r.minGapDays),
    ])];
    const lines = [
      `Repeat locations for ${result.partnership} (${result.districts.join(', ')}), ${period.from}..${period.to} (${result.windowDays} days, time to the ${result.resolution})`,
      `${l.repeatKeys} locations hit twice or more hold ${l.repeatEvents} of ${l.events} incidents${l.repeatShare === null ? '' : ` (${(l.repeatShare * 100).toFixed(1)}%)`}`,
      '',
      l.repeats.length ? table(rows) : '(none)',
    ];
    if (result.victims) {
      const v = result.victims;
      lines.push('', `Repeat victims: ${v.repeatKeys} victims with two or more incidents, ${v.repeatEvents} of ${v.events} incidents`);
      if (v.repeats.length) lines.push(table([['victim key', 'count', 'first', 'last', 'median gap (days)'], ...v.repeats.map((r) => [r.key, String(r.count), r.first.slice(0, 10), r.last.slice(0, 10), fixed(r.medianGapDays)])]));
    }
    write(json, result, `${lines.join('\n')}${controlNote(result.controlled)}`);
    return 0;
  },
};
