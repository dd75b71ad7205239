import { migrationNeeded } from '@csp-hub/db';
import { importGeography } from '@csp-hub/ingest';
import { stringOption, type CliCommand } from './command';
import { loadDemo } from './demo.command';
import { withHub } from './hub-session';

export const migrateCommand: CliCommand = {
  name: 'migrate',
  usage: '  migrate [--check]                   apply pending migrations (--check: fail if the entities need a new migration)',
  options: { check: { type: 'boolean', default: false } },
  run: ({ values, config, logger }) =>
    withHub(config, logger, async (hub) => {
      if (values.check === true && (await migrationNeeded(hub.db.migrationUrl))) {
        process.stderr.write('The entities describe changes no migration makes: run pnpm --filter @csp-hub/db migration:create <name>\n');
        return 1;
      }
      process.stdout.write('migrations are up to date\n');
      return 0;
    }),
};

export const seedDemoCommand: CliCommand = {
  name: 'seed-demo',
  usage:
    '  seed-demo                           load the demo partnerships, agencies, users, agreements, ONS geography,\n' +
    '                                      the Leicestershire street-level months and generated partner records:\n' +
    '                                      fire, council ASB, fly-tipping and noise, ISTV (idempotent)',
  run: ({ config, logger }) =>
    withHub(config, logger, async (hub) => {
      const result = await loadDemo(hub, config.CSP_HUB_REFERENCE_DIR, logger);
      process.stdout.write(
        `demo data: ${result.partnerships} partnerships, ${result.users} users, geography ${result.geography ? 'loaded' : 'not found'}, ` +
          `${result.submissions} new submissions (${result.generatedFiles} generated partner files offered), ${result.targets} plan targets\n`,
      );
      return 0;
    }),
};

export const importGeographyCommand: CliCommand = {
  name: 'import-geography',
  usage: '  import-geography [--dir <folder>]   load the ONS LSOA/ward/district lookups (default CSP_HUB_REFERENCE_DIR)',
  options: { dir: { type: 'string' } },
  run: ({ values, config, logger }) =>
    withHub(config, logger, async (hub) => {
      const result = await importGeography(hub.pool, stringOption(values, 'dir') ?? config.CSP_HUB_REFERENCE_DIR, logger);
      process.stdout.write(`loaded ${result.lsoas} LSOAs, ${result.wards} wards, ${result.districts} districts, ${result.csps} CSPs\n`);
      return 0;
    }),
};
