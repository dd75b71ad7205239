import { readFileSync } from 'node:fs';
import { auditHead, readCheckpoint, signCheckpoint, verifyAudit, type CheckpointClaim } from '@csp-hub/authz';
import { HubError } from '@csp-hub/taxonomy';
import { loadCheckpointKey, loadCheckpointPublicKey, writeCheckpoint } from '../audit-checkpoints';
import { stringOption, type CliCommand } from './command';
import { withHub } from './hub-session';

const USAGE =
  "  audit verify [--checkpoint <file>]  recompute the audit log's hash chain; with a signed checkpoint, also detect a\n" +
  '                                      removed tail or a rewrite before it; exit 1 naming the first broken entry\n' +
  '  audit head [--out <file>]           verify the chain, then sign its head (entries, last hash) and print the checkpoint;\n' +
  '                                      it is also written to AUDIT_CHECKPOINT_DIR';

export const auditCommand: CliCommand = {
  name: 'audit',
  usage: USAGE,
  options: { checkpoint: { type: 'string' }, out: { type: 'string' } },
  async run({ positionals, values, config, logger }) {
    const sub = positionals[0];
    if (sub !== 'verify' && sub !== 'head') throw HubError.invalidInput('BAD_ARGUMENTS', `usage:\n${USAGE}`);
    const checkpointFile = stringOption(values, 'checkpoint');
    let claim: CheckpointClaim | undefined;
    if (sub === 'verify' && checkpointFile) {
      let text: string;
      try {
        text = readFileSync(checkpointFile, 'utf8');
      } catch {
        throw HubError.invalidInput('FILE_NOT_FOUND', `No such checkpoint file: ${checkpointFile}`);
      }
      claim = readCheckpoint(text, loadCheckpointPublicKey(config));
    }
    return withHub(config, logger, async (hub) => {
      const result = await verifyAudit(hub.pool, undefined, claim);
      if (!result.ok) {
        process.stderr.write(
          `audit log BROKEN at entry ${result.firstBroken!.id}: ${result.firstBroken!.problem} (${result.entries.toLocaleString('en-GB')} entries before it check out)\n`,
        );
        return 1;
      }
      if (sub === 'verify') {
        process.stdout.write(
          `audit log intact: ${result.entries.toLocaleString('en-GB')} entries, every hash and link checks out` +
            `${claim ? `, and it holds the ${claim.entries.toLocaleString('en-GB')} entries the checkpoint of ${claim.at} signed` : ''}\n`,
        );
        return 0;
      }
      const checkpoint = signCheckpoint(await auditHead(hub.pool), loadCheckpointKey(config));
      const file = writeCheckpoint(config.AUDIT_CHECKPOINT_DIR, checkpoint);
      const text = `${JSON.stringify(checkpoint, null, 2)}\n`;
      const out = stringOption(values, 'out');
      if (out) (await import('node:fs')).writeFileSync(out, text, { mode: 0o600 });
      process.stdout.write(text);
      process.stderr.write(`checkpoint written to ${file}${out ? ` and ${out}` : ''}; keep a copy off this host\n`);
      return 0;
    });
  },
};
