#!/usr/bin/env -S npx tsx
import 'reflect-metadata';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HubError, isHubError } from '@csp-hub/taxonomy';
import { COMMANDS, type CliCommand } from './commands';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './logger';

export function usage(): string {
  return `csp-hub <command> [options]\n\nCommands:\n${COMMANDS.map((c) => c.usage).join('\n')}\n`;
}

function findCommand(name: string): CliCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** Runs one command line; resolves to the exit code (-1: keep running, e.g. serve). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = findCommand(name);
  if (!command) {
    process.stderr.write(`unknown command: ${name}\n\n${usage()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { ...(command.options ?? {}), help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (error) {
    throw HubError.invalidInput('BAD_ARGUMENTS', `${error instanceof Error ? error.message : String(error)}\n\nusage:\n${command.usage}`);
  }
  if (parsed.values.help === true) {
    process.stdout.write(`usage:\n${command.usage}\n`);
    return 0;
  }
  const config = command.needsConfig === false ? (undefined as unknown as Config) : loadConfig();
  const logger = createLogger(config?.LOG_LEVEL ?? 'warn');
  return command.run({ values: parsed.values, positionals: parsed.positionals, config, logger });
}

/** Prints a failure for a person: config and HubErrors as their message, anything else with its stack. */
export function reportFailure(error: unknown): void {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else if (isHubError(error)) process.stderr.write(`csp-hub: ${error.message} (${error.reason})\n`);
  else process.stderr.write(`csp-hub: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (error: unknown) => {
      reportFailure(error);
      process.exit(1);
    },
  );
}
