import { HubError } from '@csp-hub/taxonomy';
import { targetsAnalysis } from './analysis-targets';
import type { CliCommand, CommandInput, CommandOptions } from './command';

/** One `csp-hub analysis <name>` sub-command, in its own module. */
interface AnalysisCommand {
  name: string;
  usage: string;
  options: CommandOptions;
  run(input: CommandInput): Promise<number>;
}

const ANALYSES: readonly AnalysisCommand[] = [targetsAnalysis];

/** `csp-hub analysis <name> ...`: dispatches to the analysis named by the first positional. */
export const analysisCommand: CliCommand = {
  name: 'analysis',
  usage: ANALYSES.map((a) => a.usage).join('\n'),
  options: Object.assign({}, ...ANALYSES.map((a) => a.options)) as CommandOptions,
  async run(input) {
    const [name, ...rest] = input.positionals;
    const analysis = ANALYSES.find((a) => a.name === name);
    if (!analysis) {
      throw HubError.invalidInput('BAD_ARGUMENTS', `analysis needs one of: ${ANALYSES.map((a) => a.name).join(', ')}\nusage:\n${ANALYSES.map((a) => a.usage).join('\n')}`);
    }
    return analysis.run({ ...input, positionals: rest });
  },
};
