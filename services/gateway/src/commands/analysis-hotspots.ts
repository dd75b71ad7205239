import { hotspots } from '@csp-hub/insight';
import { controlNote, fixed, intOption, pValue, SCOPE_USAGE, table, write, type AnalysisSubcommand } from './analysis-common';

/** `csp-hub analysis hotspots`: top locations and LSOAs, Gi* hot cells, hotspot status. */
export const analysisHotspots: AnalysisSubcommand = {
  name: 'hotspots',
  usage:
    `  analysis hotspots ${SCOPE_USAGE}\n` +
    '                  [--top <n>] [--cell-size <metres>] [--status-periods <n>]\n' +
    '                                      top locations (location + LSOA) and LSOAs with shares; Getis-Ord Gi* on a BNG grid;\n' +
    '                                      each hot cell as emerging, persistent, intermittent or former',
  options: { top: { type: 'string' }, 'cell-size': { type: 'string' }, 'status-periods': { type: 'string' } },
  async run({ values, ctx, period, scope, json, boundaries }) {
    const top = intOption(values, 'top');
    const cellSizeM = intOption(values, 'cell-size');
    const statusPeriods = intOption(values, 'status-periods');
    const result = await hotspots(
      ctx,
      { period, ...scope, ...(top !== undefined ? { top } : {}), ...(cellSizeM !== undefined ? { cellSizeM } : {}), ...(statusPeriods !== undefined ? { statusPeriods } : {}) },
      boundaries ? { boundaries } : {},
    );
    const locations = [['rank', 'location', 'LSOA', 'count', 'share', 'cumulative'], ...result.topLocations.locations.map((l) => [
      String(l.rank), l.locationText, l.lsoaCode ?? '-', String(l.count), `${(l.share * 100).toFixed(1)}%`, `${(l.cumulativeShare * 100).toFixed(1)}%`,
    ])];
    const lsoas = [['rank', 'LSOA', 'count', 'share', 'cumulative'], ...result.topLsoas.locations.map((l) => [
      String(l.rank), l.lsoaCode, String(l.count), `${(l.share * 100).toFixed(1)}%`, `${(l.cumulativeShare * 100).toFixed(1)}%`,
    ])];
    const cells = [['cell', 'longitude', 'latitude', 'count', 'Gi* z', 'p', 'q', 'class'], ...result.cells.map((c) => [
      c.id, c.longitude.toFixed(5), c.latitude.toFixed(5), String(c.count), fixed(c.z, 2), pValue(c.pValue), pValue(c.qValue), c.class,
    ])];
    const status = [['cell', 'longitude', 'latitude', 'status', 'hot periods', 'current run'], ...result.status.map((s) => [
      s.id, s.longitude.toFixed(5), s.latitude.toFixed(5), s.status, `${s.hotPeriods}/${s.periods}`, String(s.currentRun),
    ])];
    const g = result.grid;
    const text = [
      `Hotspots for ${result.partnership} (${result.districts.join(', ')}), ${period.from}..${period.to}`,
      '',
      `Top locations (${result.topLocations.total} incidents at ${result.topLocations.locationCount} locations${result.topLocations.tiedBeyondCut ? `; ${result.topLocations.tiedBeyondCut} more tie with the last` : ''})`,
      table(locations),
      '',
      'Top LSOAs',
      table(lsoas),
      '',
      `Gi* on ${g.system} (${g.cells} cells, study area from ${g.studyArea}; ${g.located} located incidents${g.outside.count ? `, ${g.outside.count} outside the study area` : ''}); significant cells after FDR:`,
      result.cells.length ? table(cells) : '(none)',
      '',
      `Hotspot status over ${result.statusPeriods.map((p) => (p.from === p.to ? p.from : `${p.from}..${p.to}`)).join(', ')}:`,
      result.status.length ? table(status) : '(no cell was hot)',
    ].join('\n');
    write(json, result, `${text}${controlNote(result.controlled)}`);
    return 0;
  },
};
