import { HubError } from '@csp-hub/taxonomy';
import { analysisHotspots } from './analysis-hotspots';
import { analysisRepeats } from './analysis-repeats';
import { analysisTrends } from './analysis-trends';
import { runAnalysis, SCOPE_OPTIONS, type AnalysisSubcommand } from './analysis-common';
import type { CliCommand } from './command';

/** The analysis subcommands, in usage order. A new one (e.g. targets) is added here once. */
export const ANALYSIS_SUBCOMMANDS: readonly AnalysisSubcommand[] = [analysisTrends, analysisHotspots, analysisRepeats];

/**
 * `csp-hub analysis <method>`: the analysis engine for analysts who script,
 * run as a hub user (--as) by the same rules, disclosure control and audit as
 * GraphQL. A readable table, or the engine's JSON with --json
 * (packages/insight/README.md).
 */
export const analysisCommand: CliCommand = {
  name: 'analysis',
  usage: ANALYSIS_SUBCOMMANDS.map((s) => s.usage).join('\n'),
  options: Object.assign({}, SCOPE_OPTIONS, ...ANALYSIS_SUBCOMMANDS.map((s) => s.options)),
  async run(input) {
    const name = input.positionals[0] ?? '';
    const sub = ANALYSIS_SUBCOMMANDS.find((s) => s.name === name);
    if (!sub) throw HubError.invalidInput('BAD_ARGUMENTS', `analysis needs a method: ${ANALYSIS_SUBCOMMANDS.map((s) => s.name).join(', ')}\n\nusage:\n${analysisCommand.usage}`);
    return runAnalysis(sub, input);
  },
};
