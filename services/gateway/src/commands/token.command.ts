import { HubError } from '@csp-hub/taxonomy';
import { tokenLifetimeSeconds } from '../auth/jwt';
import { durationSeconds } from '../duration';
import { stringOption, type CliCommand } from './command';
import { issueToken, withHub } from './hub-session';

export const tokenCommand: CliCommand = {
  name: 'token',
  usage: '  token --email <address> [--ttl 8h]  print a signed dev token for a user (not in production; --ttl at most JWT_MAX_TTL)',
  options: { email: { type: 'string' }, ttl: { type: 'string' } },
  async run({ values, config, logger }) {
    const email = stringOption(values, 'email');
    if (!email) throw HubError.invalidInput('EMAIL_REQUIRED', 'token needs --email <address> of a user');
    const ttl = stringOption(values, 'ttl') ?? config.JWT_TTL;
    tokenLifetimeSeconds(ttl, durationSeconds(config.JWT_MAX_TTL)!); // refuse before opening the database
    return withHub(config, logger, async (hub) => {
      process.stdout.write(`${await issueToken(config, hub, email, ttl)}\n`);
      return 0;
    });
  },
};
