import { baselinePlaces, resolveScope } from '@csp-hub/insight';
import { PLACE_UNITS, type PlaceUnit } from '@csp-hub/db';
import { HubError } from '@csp-hub/taxonomy';
import { listOption } from './actor';
import { stringOption } from './command';
import { controlNote, intOption, SCOPE_USAGE, table, write, type AnalysisSubcommand } from './analysis-common';

/**
 * `csp-hub analysis places`: the top places of a baseline window (--period) as the user counts them
 * in their partnership, what a chair fixes as a place-subset target's places and baseline
 * (GraphQL `targetPlaces`).
 */
export const analysisPlaces: AnalysisSubcommand = {
  name: 'places',
  usage:
    `  analysis places ${SCOPE_USAGE}\n` +
    '                  [--source-category <label,...>] [--place-unit location|lsoa] [--top <n>]\n' +
    "                                      a place-subset target's top places and baseline over the period (the baseline\n" +
    "                                      window), in the whole partnership; --category names the target's priorities",
  options: { 'source-category': { type: 'string', multiple: true }, 'place-unit': { type: 'string' } },
  async run({ values, ctx, period, scope, json }) {
    if (scope.districts && scope.districts.length > 0) {
      throw HubError.invalidInput('BAD_ARGUMENTS', "a target covers the partnership's every district: analysis places takes no --district");
    }
    const resolved = resolveScope(ctx, scope);
    if (!resolved.categories) throw HubError.invalidInput('BAD_ARGUMENTS', "analysis places needs --category <priority,...>: the target's priorities");
    const unit = stringOption(values, 'place-unit') ?? 'location';
    if (!(PLACE_UNITS as readonly string[]).includes(unit)) throw HubError.invalidInput('BAD_ARGUMENTS', `--place-unit must be one of ${PLACE_UNITS.join(', ')}, not "${unit}"`);
    const top = intOption(values, 'top');
    const result = await baselinePlaces(ctx, {
      priorities: resolved.categories,
      sourceCategories: listOption(values['source-category']),
      feeds: resolved.feeds,
      placeUnit: unit as PlaceUnit,
      baselineFrom: period.from,
      baselineTo: period.to,
      ...(top !== undefined ? { top } : {}),
    });
    const lines = [
      `Top ${result.places.length} places for ${resolved.partnership}, ${period.from}..${period.to}: ${result.baselineValue} incidents (the baseline of a place-subset target)`,
      '',
      table([['rank', 'place'], ...result.places.map((p, i) => [String(i + 1), p])]),
    ];
    write(json, { partnership: resolved.partnership, baselineFrom: period.from, baselineTo: period.to, ...result }, `${lines.join('\n')}${controlNote(result.controlled)}`);
    return 0;
  },
};
