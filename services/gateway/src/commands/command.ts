import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config';
import type { Logger } from '../logger';

/** Options of one command, in node:util parseArgs form. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

export interface CommandInput {
  /** Parsed option values (strings, booleans, or arrays for `multiple`). */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  /** Read once by the CLI; undefined only for commands with `needsConfig: false`. */
  config: Config;
  logger: Logger;
}

/**
 * One `csp-hub` command. Each lives in its own module and is listed once in
 * commands/index.ts; the CLI parses its options, loads the configuration and
 * runs it. `run` returns the exit code, or -1 to keep the process running.
 */
export interface CliCommand {
  name: string;
  /** Lines for the usage text, already indented as they should print. */
  usage: string;
  options?: CommandOptions;
  /** Commands that print static facts (schema, config table) run without reading the environment. */
  needsConfig?: boolean;
  run(input: CommandInput): Promise<number>;
}

/** A string option's value, or undefined. */
export function stringOption(values: CommandInput['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}
