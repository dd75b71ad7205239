import { listFeeds } from '@csp-hub/ingest';
import { configTableMarkdown } from '../config';
import type { CliCommand } from './command';

export const feedsCommand: CliCommand = {
  name: 'feeds',
  usage: '  feeds                               list the feeds and the columns each needs',
  needsConfig: false,
  async run() {
    for (const f of listFeeds()) {
      process.stdout.write(`${f.feed}  (${f.formats.join(', ')})  ${f.label}\n    columns: ${f.columns.join(', ')}\n`);
    }
    return 0;
  },
};

export const configCommand: CliCommand = {
  name: 'config',
  usage: '  config                              print the configuration variables as a Markdown table',
  needsConfig: false,
  async run() {
    process.stdout.write(`${configTableMarkdown()}\n`);
    return 0;
  },
};

export const schemaCommand: CliCommand = {
  name: 'schema',
  usage: '  schema                              print the GraphQL schema (SDL); schema.graphql holds the committed copy',
  needsConfig: false,
  async run() {
    // Loaded on demand: the GraphQL stack is heavy for every other command.
    const [{ printSchema }, { buildHubSchema }] = await Promise.all([import('graphql'), import('../graphql/schema')]);
    process.stdout.write(`${printSchema(await buildHubSchema())}\n`);
    return 0;
  },
};
