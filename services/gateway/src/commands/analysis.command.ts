import { HubError } from '@csp-hub/taxonomy';
import { analysisHotspots } from './analysis-hotspots';
import { analysisPlaces } from './analysis-places';
import { analysisRepeats } from './analysis-repeats';
import { targetsAnalysis } from './analysis-targets';
import { analysisTrends } from './analysis-trends';
import { runAnalysis, SCOPE_OPTIONS, type AnalysisSubcommand } from './analysis-common';
import type { CliCommand } from './command';

/** The analysis subcommands over a period, in usage order. A new one is added here once. */
export const ANALYSIS_SUBCOMMANDS: readonly AnalysisSubcommand[] = [analysisTrends, analysisHotspots, analysisRepeats, analysisPlaces];

const NAMES = [...ANALYSIS_SUBCOMMANDS.map((s) => s.name), targetsAnalysis.name];

/**
 * `csp-hub analysis <method>`: the analysis engine for analysts who script,
 * run as a hub user (--as) by the same rules, disclosure control and audit as
 * GraphQL. A readable table, or the engine's JSON with --json
 * (packages/insight/README.md). `targets` measures the partnership's priority
 * targets (no period: each target has its own).
 */
export const analysisCommand: CliCommand = {
  name: 'analysis',
  usage: [...ANALYSIS_SUBCOMMANDS.map((s) => s.usage), targetsAnalysis.usage].join('\n'),
  options: Object.assign({}, SCOPE_OPTIONS, ...ANALYSIS_SUBCOMMANDS.map((s) => s.options), targetsAnalysis.options),
  async run(input) {
    const name = input.positionals[0] ?? '';
    if (name === targetsAnalysis.name) return targetsAnalysis.run({ ...input, positionals: input.positionals.slice(1) });
    const sub = ANALYSIS_SUBCOMMANDS.find((s) => s.name === name);
    if (!sub) throw HubError.invalidInput('BAD_ARGUMENTS', `analysis needs a method: ${NAMES.join(', ')}\n\nusage:\n${analysisCommand.usage}`);
    return runAnalysis(sub, input);
  },
};
