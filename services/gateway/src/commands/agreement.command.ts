import {
  approveAgreement,
  createAgreement,
  declineAgreement,
  getAgreement,
  listAgreements,
  londonToday,
  requestAgreementApproval,
  setAgreementStatus,
  type AccessContext,
  type AgreementView,
} from '@csp-hub/authz';
import { Agency, type EntityManager } from '@csp-hub/db';
import { HubError } from '@csp-hub/taxonomy';
import { stringOption, type CliCommand, type CommandInput } from './command';
import { withHub } from './hub-session';
import { listOption, print, requireOption, userContext } from './actor';

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function addYears(date: string, years: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.toISOString().slice(0, 10);
}

async function agencyCodes(em: EntityManager): Promise<Map<number, string>> {
  return new Map((await em.find(Agency, {})).map((a) => [a.id, a.code]));
}

function describe(a: AgreementView, codes: Map<number, string>): string {
  const code = (id: number) => codes.get(id) ?? `agency ${id}`;
  const recipients = [...a.recipientAgencyIds.map(code), ...a.recipientAgencyTypes.map((t) => `every ${t} agency`)].join(', ');
  const lines = [
    `agreement ${a.id} (version ${a.version}): ${a.status}${a.status === 'active' ? ` (${a.effectiveStatus.replaceAll('_', ' ')})` : ''}  "${a.title}"`,
    `  ${code(a.providerAgencyId)} shares ${a.datasets.join(', ')} with ${recipients} at tier ${a.tier}`,
    `  valid ${a.validFrom} to ${a.validTo}, review by ${a.reviewDate}; purposes: ${a.purposes.join('; ')}; lawful basis: ${a.lawfulBasis}`,
  ];
  const p = a.pendingApproval;
  if (p) {
    lines.push(
      p.kind === 'activation'
        ? `  awaiting approval by ${code(a.providerAgencyId)} (requested by ${p.requestedBy.name} on ${p.requestedAt.slice(0, 10)})`
        : `  a change widening ${p.widens.join(', ')} awaits approval by ${code(a.providerAgencyId)} (proposed by ${p.requestedBy.name} on ${p.requestedAt.slice(0, 10)})`,
    );
  }
  for (const d of a.approvals) {
    lines.push(`  ${d.decision} (${d.subject}) by ${d.name}${d.agencyId ? ` of ${code(d.agencyId)}` : ''} on ${d.at.slice(0, 10)}, version ${d.version}${d.note ? `: ${d.note}` : ''}`);
  }
  return lines.join('\n');
}

function agreementId(values: CommandInput['values']): number {
  const raw = requireOption(stringOption(values, 'id'), 'name the agreement with --id <number> (csp-hub agreement list --as <e-mail>)');
  if (!/^\d{1,9}$/.test(raw)) throw HubError.invalidInput('BAD_ARGUMENTS', `--id must be an agreement number, not "${raw}"`);
  return Number(raw);
}

/** The version to act on: --version, or the one the agreement has now (shown in the output). */
async function versionOf(ctx: AccessContext, values: CommandInput['values'], id: number): Promise<number> {
  const raw = stringOption(values, 'version');
  if (raw === undefined) return (await getAgreement(ctx, id)).version;
  if (!/^\d{1,9}$/.test(raw)) throw HubError.invalidInput('BAD_ARGUMENTS', `--version must be a number, not "${raw}"`);
  return Number(raw);
}

async function agencyIdsOf(em: EntityManager, codes: string[]): Promise<number[]> {
  const ids: number[] = [];
  const unknown: string[] = [];
  for (const c of codes) {
    const a = await em.findOne(Agency, { code: c });
    if (a) ids.push(a.id);
    else unknown.push(c);
  }
  if (unknown.length) throw HubError.invalidInput('UNKNOWN_AGENCY', `No agency ${unknown.join(', ')} (csp-hub agency list).`);
  return ids;
}

const TIERS = ['personal', 'pseudonymised', 'aggregate', 'public'];

export const agreementCommand: CliCommand = {
  name: 'agreement',
  usage:
    '  agreement add --as <e-mail> --title <text> --provider <agency code> --datasets <feed,...>\n' +
    '                [--recipients <agency code,...>] [--recipient-types <type,...>] --tier <personal|pseudonymised|aggregate|public>\n' +
    '                --purpose <text> [--purpose ...] --lawful-basis <text> [--from <date>] [--to <date>] [--review <date>] [--request]\n' +
    '                                      record a draft (--request: and ask the provider at once); dates default to\n' +
    '                                      today, a year on, and a month before the end\n' +
    '  agreement request|approve --as <e-mail> --id <n> [--version <n>] [--note <text>]\n' +
    '  agreement decline|suspend|lapse --as <e-mail> --id <n> [--version <n>] --reason <text>\n' +
    '  agreement list|show --as <e-mail> [--id <n>] [--json]\n' +
    "                                      run as a hub user, by the same rules as GraphQL: chairs, admins and data owners\n" +
    "                                      draft and request; only the provider agency's chair, admin or data owner approves",
  options: {
    as: { type: 'string' },
    id: { type: 'string' },
    version: { type: 'string' },
    title: { type: 'string' },
    provider: { type: 'string' },
    datasets: { type: 'string', multiple: true },
    recipients: { type: 'string', multiple: true },
    'recipient-types': { type: 'string', multiple: true },
    tier: { type: 'string' },
    purpose: { type: 'string', multiple: true },
    'lawful-basis': { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    review: { type: 'string' },
    request: { type: 'boolean', default: false },
    note: { type: 'string' },
    reason: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  async run({ values, positionals, config, logger }) {
    const sub = positionals[0] ?? '';
    if (!['add', 'request', 'approve', 'decline', 'suspend', 'lapse', 'list', 'show'].includes(sub)) {
      throw HubError.invalidInput('BAD_ARGUMENTS', `usage:\n${agreementCommand.usage}`);
    }
    const asEmail = requireOption(stringOption(values, 'as'), `agreement ${sub} runs as a hub user: add --as <e-mail>`);
    const json = values.json === true;
    return withHub(config, logger, async (hub) => {
      const ctx = await userContext(hub, asEmail);
      const codes = () => agencyCodes(ctx.em);
      const show = async (a: AgreementView, what: string) => print(json, a, `${what}${describe(a, await codes())}`);
      switch (sub) {
        case 'add': {
          const tier = requireOption(stringOption(values, 'tier'), `agreement add needs --tier (${TIERS.join(', ')})`);
          const provider = requireOption(stringOption(values, 'provider'), 'agreement add needs --provider <agency code>');
          const from = stringOption(values, 'from') ?? londonToday();
          const to = stringOption(values, 'to') ?? addDays(addYears(from, 1), -1);
          const a = await createAgreement(
            ctx,
            {
              title: requireOption(stringOption(values, 'title'), 'agreement add needs --title <text>'),
              providerAgencyId: (await agencyIdsOf(ctx.em, [provider]))[0]!,
              datasets: listOption(values.datasets),
              recipientAgencyIds: await agencyIdsOf(ctx.em, listOption(values.recipients)),
              recipientAgencyTypes: listOption(values['recipient-types']),
              tier,
              purposes: (Array.isArray(values.purpose) ? values.purpose : []).filter((p): p is string => typeof p === 'string'),
              lawfulBasis: requireOption(stringOption(values, 'lawful-basis'), 'agreement add needs --lawful-basis <text>, e.g. "s115 Crime and Disorder Act 1998"'),
              validFrom: from,
              validTo: to,
              reviewDate: stringOption(values, 'review') ?? addDays(to, -30),
              signatories: [],
            },
            values.request === true ? 'requested' : 'draft',
            stringOption(values, 'note') ?? null,
          );
          await show(a, 'recorded ');
          return 0;
        }
        case 'list': {
          const all = await listAgreements(ctx);
          const map = await codes();
          print(json, all, all.length ? all.map((a) => describe(a, map)).join('\n') : `no agreements in ${ctx.principal.partnershipName} yet`);
          return 0;
        }
        case 'show': {
          await show(await getAgreement(ctx, agreementId(values)), '');
          return 0;
        }
        default: {
          const id = agreementId(values);
          const version = await versionOf(ctx, values, id);
          const note = stringOption(values, 'note') ?? null;
          const reason = () => requireOption(stringOption(values, 'reason'), `agreement ${sub} needs --reason <text>`);
          const a =
            sub === 'request'
              ? await requestAgreementApproval(ctx, id, version, note)
              : sub === 'approve'
                ? await approveAgreement(ctx, id, version, note)
                : sub === 'decline'
                  ? await declineAgreement(ctx, id, version, reason())
                  : await setAgreementStatus(ctx, id, version, sub === 'suspend' ? 'suspended' : 'lapsed', reason());
          await show(a, `${sub === 'approve' ? 'approved' : sub === 'request' ? 'requested' : `${sub}${sub.endsWith('e') ? 'd' : 'ed'}`}: `);
          return 0;
        }
      }
    });
  },
};
