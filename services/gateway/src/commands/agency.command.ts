import { listAgencies, registerAgency, type AgencyView } from '@csp-hub/authz';
import { HubError } from '@csp-hub/taxonomy';
import { stringOption, type CliCommand } from './command';
import { withHub } from './hub-session';
import { listOption, operatorContext, print, requireOption } from './actor';

function describe(a: AgencyView): string {
  return `${a.code}  ${a.name} (${a.type}${a.statutory ? ', statutory' : ''}${a.forceName ? `, publishes as "${a.forceName}"` : ''})  partnerships: ${a.partnerships.join(', ') || 'none'}`;
}

export const agencyCommand: CliCommand = {
  name: 'agency',
  usage:
    '  agency add --code <code> --name <name> --type <police|fire|health|council|probation|youth_offending|housing|other>\n' +
    '             [--force-name <name>] [--partnership <csp code>]... [--non-statutory]\n' +
    '                                      register an agency and its memberships (police: --force-name as in its\n' +
    '                                      data.police.uk files); for an existing agency, --code and --partnership add memberships\n' +
    '  agency list [--partnership <code>] [--json]',
  options: {
    code: { type: 'string' },
    name: { type: 'string' },
    type: { type: 'string' },
    'force-name': { type: 'string' },
    partnership: { type: 'string', multiple: true },
    'non-statutory': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  async run({ values, positionals, config, logger }) {
    const sub = positionals[0];
    const json = values.json === true;
    if (sub === 'add') {
      const code = requireOption(stringOption(values, 'code'), 'agency add needs --code <code>, e.g. nottinghamshire-police');
      const name = stringOption(values, 'name');
      const type = stringOption(values, 'type');
      const forceName = stringOption(values, 'force-name');
      return withHub(config, logger, async (hub) => {
        const r = await registerAgency(operatorContext(hub), {
          code,
          ...(name !== undefined ? { name } : {}),
          ...(type !== undefined ? { type } : {}),
          ...(forceName !== undefined ? { forceName } : {}),
          ...(values['non-statutory'] === true ? { statutory: false } : {}),
          partnerships: listOption(values.partnership),
        });
        const what = r.created ? 'registered agency' : r.joined.length ? 'added memberships to agency' : 'agency unchanged (already a partner)';
        print(json, r, `${what} ${describe(r.agency)}`);
        return 0;
      });
    }
    if (sub === 'list') {
      const partnership = listOption(values.partnership)[0];
      return withHub(config, logger, async (hub) => {
        const all = await listAgencies(hub.orm.em.fork(), partnership);
        print(json, all, all.length ? all.map(describe).join('\n') : 'no agencies');
        return 0;
      });
    }
    throw HubError.invalidInput('BAD_ARGUMENTS', `usage:\n${agencyCommand.usage}`);
  },
};
