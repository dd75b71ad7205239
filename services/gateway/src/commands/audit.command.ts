import { verifyAudit } from '@csp-hub/authz';
import { HubError } from '@csp-hub/taxonomy';
import type { CliCommand } from './command';
import { withHub } from './hub-session';

export const auditCommand: CliCommand = {
  name: 'audit',
  usage: "  audit verify                        recompute the audit log's hash chain; exit 1 naming the first broken entry",
  async run({ positionals, config, logger }) {
    if (positionals[0] !== 'verify') throw HubError.invalidInput('BAD_ARGUMENTS', 'usage: csp-hub audit verify');
    return withHub(config, logger, async (hub) => {
      const result = await verifyAudit(hub.pool);
      if (result.ok) {
        process.stdout.write(`audit log intact: ${result.entries.toLocaleString('en-GB')} entries, every hash and link checks out\n`);
        return 0;
      }
      process.stderr.write(
        `audit log BROKEN at entry ${result.firstBroken!.id}: ${result.firstBroken!.problem} (${result.entries.toLocaleString('en-GB')} entries before it check out)\n`,
      );
      return 1;
    });
  },
};
