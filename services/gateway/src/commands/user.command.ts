import { checkRoles, createUser, findUserIdByEmail, getPartnershipByCode, isOperator, listUsers, setUserActive, setUserRoles, type UserView } from '@csp-hub/authz';
import { Agency } from '@csp-hub/db';
import { HubError } from '@csp-hub/taxonomy';
import { stringOption, type CliCommand } from './command';
import { withHub } from './hub-session';
import { actorFor, listOption, print, requireOption } from './actor';

function describe(u: UserView): string {
  return `${u.email}  ${u.displayName === u.email ? '' : `${u.displayName}, `}${u.agencyCode} in ${u.partnershipCode}  roles: ${u.roles.join(', ')}${u.active ? '' : '  (deactivated)'}  [user ${u.id}]`;
}

export const userCommand: CliCommand = {
  name: 'user',
  usage:
    '  user add --email <e-mail> --agency <code> --partnership <csp code> --roles <role,...> [--name <display name>]\n' +
    '  user roles --email <e-mail> --roles <role,...>\n' +
    '  user deactivate --email <e-mail> [--reason <text>]   (access ends on their next request)\n' +
    '  user reactivate --email <e-mail>\n' +
    '  user list --partnership <csp code> [--json]\n' +
    '                                      roles: analyst, tasking_member, chair, partnership_admin, auditor, data_owner;\n' +
    '                                      without --as <e-mail> the change is made (and audited) as the operating-system\n' +
    '                                      account; with it, as that partnership admin, by the same rules as GraphQL',
  options: {
    email: { type: 'string' },
    agency: { type: 'string' },
    partnership: { type: 'string' },
    roles: { type: 'string', multiple: true },
    name: { type: 'string' },
    reason: { type: 'string' },
    as: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  async run({ values, positionals, config, logger }) {
    const sub = positionals[0];
    const json = values.json === true;
    const asEmail = stringOption(values, 'as');
    const email = () => requireOption(stringOption(values, 'email'), `user ${sub} needs --email <e-mail>`);
    const roles = () => checkRoles(listOption(values.roles));
    switch (sub) {
      case 'add': {
        const address = email();
        const agencyCode = requireOption(stringOption(values, 'agency'), 'user add needs --agency <agency code>');
        const wanted = roles();
        return withHub(config, logger, async (hub) => {
          const actor = await actorFor(hub, asEmail);
          const partnershipCode = stringOption(values, 'partnership') ?? (isOperator(actor) ? undefined : actor.principal.partnershipCode);
          const partnership = await getPartnershipByCode(actor.em, requireOption(partnershipCode, 'user add needs --partnership <csp code>'));
          const agency = await actor.em.findOne(Agency, { code: agencyCode.trim() });
          if (!agency) throw HubError.invalidInput('UNKNOWN_AGENCY', `No agency "${agencyCode}" (csp-hub agency list).`);
          const user = await createUser(actor, {
            email: address,
            displayName: stringOption(values, 'name') ?? null,
            agencyId: agency.id,
            partnershipId: partnership.id,
            roles: wanted,
          });
          print(json, user, `added user ${describe(user)}`);
          return 0;
        });
      }
      case 'roles': {
        const address = email();
        const wanted = roles();
        return withHub(config, logger, async (hub) => {
          const actor = await actorFor(hub, asEmail);
          const user = await setUserRoles(actor, await findUserIdByEmail(actor, address), wanted);
          print(json, user, `roles changed: ${describe(user)}`);
          return 0;
        });
      }
      case 'deactivate':
      case 'reactivate': {
        const address = email();
        return withHub(config, logger, async (hub) => {
          const actor = await actorFor(hub, asEmail);
          const user = await setUserActive(actor, await findUserIdByEmail(actor, address), sub === 'reactivate', stringOption(values, 'reason') ?? null);
          print(json, user, `${sub}d: ${describe(user)}`);
          return 0;
        });
      }
      case 'list': {
        return withHub(config, logger, async (hub) => {
          const actor = await actorFor(hub, asEmail);
          const code = stringOption(values, 'partnership') ?? (isOperator(actor) ? undefined : actor.principal.partnershipCode);
          const partnership = await getPartnershipByCode(actor.em, requireOption(code, 'user list needs --partnership <csp code>'));
          const users = await listUsers(actor, partnership.id);
          print(json, users, users.length ? users.map(describe).join('\n') : `no users in ${partnership.name} yet`);
          return 0;
        });
      }
      default:
        throw HubError.invalidInput('BAD_ARGUMENTS', `usage:\n${userCommand.usage}`);
    }
  },
};
