import { agencyCommand } from './agency.command';
import { agreementCommand } from './agreement.command';
import { analysisCommand } from './analysis.command';
import { auditCommand } from './audit.command';
import type { CliCommand } from './command';
import { dbCommand } from './db-server.command';
import { importGeographyCommand, migrateCommand, seedDemoCommand } from './db.commands';
import { configCommand, feedsCommand, schemaCommand } from './info.commands';
import { ingestCliCommand } from './ingest.command';
import { partnershipCommand } from './partnership.command';
import { layoutsCommand } from './layouts.command';
import { serveCommand } from './serve.command';
import { tokenCommand } from './token.command';
import { userCommand } from './user.command';

/** Every `csp-hub` command, in the order the usage text lists them. Add a command here once. */
export const COMMANDS: readonly CliCommand[] = [
  serveCommand,
  dbCommand,
  migrateCommand,
  seedDemoCommand,
  importGeographyCommand,
  partnershipCommand,
  agencyCommand,
  userCommand,
  agreementCommand,
  ingestCliCommand,
  analysisCommand,
  layoutsCommand,
  feedsCommand,
  auditCommand,
  tokenCommand,
  configCommand,
  schemaCommand,
];

export type { CliCommand, CommandInput, CommandOptions } from './command';
export { stringOption } from './command';
