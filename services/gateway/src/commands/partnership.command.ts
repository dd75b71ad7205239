import { listPartnerships, registerPartnership, type PartnershipView } from '@csp-hub/authz';
import { HubError } from '@csp-hub/taxonomy';
import { stringOption, type CliCommand } from './command';
import { withHub } from './hub-session';
import { operatorContext, print, requireOption } from './actor';

function describe(p: PartnershipView): string {
  const lines = [
    `${p.code}  ${p.name}`,
    `  districts: ${p.districts.map((d) => `${d.name} (${d.code})`).join(', ')}`,
    `  police force area: ${p.pfa ? `${p.pfa.name} (${p.pfa.code})` : 'none'}${p.county ? `; county: ${p.county.name} (${p.county.code})` : ''}`,
    `  agencies: ${p.agencies.length ? p.agencies.map((a) => a.code).join(', ') : 'none yet (csp-hub agency add ... --partnership ' + p.code + ')'}`,
  ];
  return lines.join('\n');
}

export const partnershipCommand: CliCommand = {
  name: 'partnership',
  usage:
    '  partnership add --csp-code <code>   register a partnership from the ONS lookup (its districts and police force area)\n' +
    '  partnership list [--json]           every partnership with its districts and agencies',
  options: { 'csp-code': { type: 'string' }, json: { type: 'boolean', default: false } },
  async run({ values, positionals, config, logger }) {
    const sub = positionals[0];
    const json = values.json === true;
    if (sub === 'add') {
      const code = requireOption(stringOption(values, 'csp-code'), 'partnership add needs --csp-code <ONS CSP code>, e.g. E22000366');
      return withHub(config, logger, async (hub) => {
        const p = await registerPartnership(operatorContext(hub), code);
        print(json, p, `registered partnership ${describe(p)}`);
        return 0;
      });
    }
    if (sub === 'list') {
      return withHub(config, logger, async (hub) => {
        const all = await listPartnerships(hub.orm.em.fork());
        print(json, all, all.length ? all.map(describe).join('\n') : 'no partnerships yet (csp-hub partnership add --csp-code <code>)');
        return 0;
      });
    }
    throw HubError.invalidInput('BAD_ARGUMENTS', `usage:\n${partnershipCommand.usage}`);
  },
};
