import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { Agency, Area, Partnership, User, type EntityManager } from '@csp-hub/db';
import { AGENCY_TYPES, HubError, isAgencyType, type AgencyType } from '@csp-hub/taxonomy';
import { inOperatorUnitOfWork, type OperatorContext } from './access';

/**
 * Onboarding: partnerships and agencies are registered by the hub operator (the `csp-hub` CLI on the
 * server); partnership admins then manage their users (users.ts) and chairs their agreements.
 */

export interface PartnershipView {
  id: number;
  code: string;
  name: string;
  districts: { code: string; name: string }[];
  pfa: { code: string; name: string } | null;
  county: { code: string; name: string } | null;
  agencies: AgencyView[];
}

export interface AgencyView {
  id: number;
  code: string;
  name: string;
  type: AgencyType;
  statutory: boolean;
  forceName: string | null;
  /** CSP codes of the partnerships it is a partner in. */
  partnerships: string[];
}

const CSP_CODE = /^[EW]22\d{6}$/;
const AGENCY_CODE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Responsible authorities under s5 Crime and Disorder Act 1998 (as amended): statutory partners by default. */
const STATUTORY_TYPES: readonly AgencyType[] = ['police', 'fire', 'health', 'council', 'probation'];

async function areaNames(em: EntityManager, codes: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(codes.filter((c): c is string => c !== null))];
  const rows = wanted.length ? await em.find(Area, { code: { $in: wanted } }) : [];
  return new Map(rows.map((r) => [r.code, r.name]));
}

async function partnershipView(em: EntityManager, p: Partnership): Promise<PartnershipView> {
  await p.agencies.init();
  const names = await areaNames(em, [...p.ladCodes, p.pfaCode, p.countyCode]);
  const agencies = await Promise.all(p.agencies.getItems().map((a) => agencyView(em, a)));
  return {
    id: p.id,
    code: p.code,
    name: p.name,
    districts: p.ladCodes.map((code) => ({ code, name: names.get(code) ?? code })),
    pfa: p.pfaCode ? { code: p.pfaCode, name: names.get(p.pfaCode) ?? p.pfaCode } : null,
    county: p.countyCode ? { code: p.countyCode, name: names.get(p.countyCode) ?? p.countyCode } : null,
    agencies: agencies.sort((a, b) => a.name.localeCompare(b.name)),
  };
}

async function agencyView(em: EntityManager, a: Agency): Promise<AgencyView> {
  const memberships = await em.find(Partnership, { agencies: a }, { orderBy: { code: 'asc' } });
  return { id: a.id, code: a.code, name: a.name, type: a.type, statutory: a.statutory, forceName: a.forceName, partnerships: memberships.map((p) => p.code) };
}

/** Every partnership on the hub, by name. */
export async function listPartnerships(em: EntityManager): Promise<PartnershipView[]> {
  const rows = await em.find(Partnership, {}, { orderBy: { name: 'asc' } });
  return Promise.all(rows.map((p) => partnershipView(em, p)));
}

/** A partnership by its ONS CSP code, or NOT_FOUND. */
export async function getPartnershipByCode(em: EntityManager, code: string): Promise<Partnership> {
  const p = await em.findOne(Partnership, { code: code.trim().toUpperCase() });
  if (!p) throw HubError.notFound('Partnership', code);
  return p;
}

/**
 * Registers a partnership from its ONS CSP code, using the geography already imported: its name, its
 * districts (every district whose CSP it is), its police force area and (two-tier areas) its county.
 * Refuses a code the geography does not know, and one already registered.
 */
export async function registerPartnership(op: OperatorContext, cspCode: string): Promise<PartnershipView> {
  const code = cspCode.trim().toUpperCase();
  if (!CSP_CODE.test(code)) throw HubError.invalidInput('INVALID_CSP_CODE', `"${cspCode}" is not an ONS CSP code (E22 or W22 and six digits, e.g. E22000366).`);
  const em = op.em.fork();
  if ((await em.count(Area, { kind: 'csp' })) === 0) {
    throw HubError.invalidInput('GEOGRAPHY_NOT_LOADED', 'No ONS geography is loaded: run csp-hub import-geography first.');
  }
  const csp = await em.findOne(Area, { code, kind: 'csp' });
  if (!csp) throw HubError.invalidInput('UNKNOWN_CSP', `No CSP ${code} in the ONS lookup (December 2019 CSPs): check the code.`);
  const districts = await em.find(Area, { kind: 'district', parentCode: code }, { orderBy: { name: 'asc' } });
  if (districts.length === 0) throw HubError.invalidInput('UNKNOWN_CSP', `CSP ${code} has no districts in the loaded ONS lookup.`);
  const pfas = [...new Set(districts.map((d) => d.pfaCode))];
  if (pfas.length !== 1 || pfas[0] === null) {
    throw HubError.invalidInput('AMBIGUOUS_FORCE_AREA', `The districts of CSP ${code} do not share one police force area in the ONS lookup (${pfas.join(', ')}).`);
  }
  const counties = [...new Set(districts.map((d) => d.countyCode))];
  const existing = await em.findOne(Partnership, { code });
  if (existing) throw HubError.conflict('PARTNERSHIP_EXISTS', `Partnership ${code} (${existing.name}) is already registered.`);
  try {
    return await inOperatorUnitOfWork({ ...op, em }, async ({ em: tx, audit }) => {
      const p = tx.create(Partnership, {
        code,
        name: `${csp.name} Community Safety Partnership`,
        ladCodes: districts.map((d) => d.code),
        pfaCode: pfas[0]!,
        countyCode: counties.length === 1 ? counties[0]! : null,
        createdAt: new Date(),
      });
      await tx.flush();
      await audit({
        partnershipId: p.id,
        operation: 'create',
        objectType: 'Partnership',
        objectId: String(p.id),
        detail: { code, ladCodes: p.ladCodes, pfaCode: p.pfaCode, countyCode: p.countyCode },
        rowCount: 1,
        agreementIds: [],
      });
      return partnershipView(tx, p);
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw HubError.conflict('PARTNERSHIP_EXISTS', `Partnership ${code} is already registered.`);
    throw error;
  }
}

export interface AgencyInput {
  code: string;
  /** Required for a new agency; for an existing one, must match when given. */
  name?: string;
  type?: string;
  /** Police: the force name its data.police.uk files carry ("Reported by" / "Falls within"). */
  forceName?: string;
  statutory?: boolean;
  /** CSP codes of partnerships to add it to (existing memberships are kept). */
  partnerships: string[];
}

export interface AgencyRegistration {
  agency: AgencyView;
  created: boolean;
  /** Partnerships it joined now. */
  joined: string[];
}

/**
 * Registers an agency and its memberships, or adds memberships to one that exists. A police agency
 * needs the force name it publishes under. Names every problem at once.
 */
export async function registerAgency(op: OperatorContext, input: AgencyInput): Promise<AgencyRegistration> {
  const em = op.em.fork();
  const code = input.code.trim();
  const problems: string[] = [];
  if (!AGENCY_CODE.test(code) || code.length > 64) problems.push(`code "${input.code}" must be lower-case letters, digits and single hyphens (e.g. nottinghamshire-police), at most 64 characters`);
  const existing = AGENCY_CODE.test(code) ? await em.findOne(Agency, { code }) : null;
  if (input.type !== undefined && !isAgencyType(input.type)) problems.push(`type "${input.type}" is not one of ${AGENCY_TYPES.join(', ')}`);
  if (!existing) {
    if (!input.name?.trim()) problems.push('a new agency needs --name');
    if (input.type === undefined) problems.push(`a new agency needs --type (${AGENCY_TYPES.join(', ')})`);
    if (input.type === 'police' && !input.forceName?.trim()) problems.push('a police agency needs --force-name, the force name its data.police.uk files carry (e.g. "Nottinghamshire Police")');
  } else {
    if (input.name !== undefined && input.name.trim() !== existing.name) problems.push(`agency ${code} exists as "${existing.name}"; leave out --name (or give the same) to add memberships`);
    if (input.type !== undefined && input.type !== existing.type) problems.push(`agency ${code} exists as a ${existing.type} agency, not ${input.type}`);
    if (input.forceName !== undefined && input.forceName.trim() !== (existing.forceName ?? '')) problems.push(`agency ${code} publishes as "${existing.forceName ?? '(none)'}"; its force name is not changed here`);
  }
  if (input.forceName !== undefined && (input.type ?? existing?.type) !== 'police') problems.push('only a police agency has a force name');
  const codes = [...new Set(input.partnerships.map((c) => c.trim().toUpperCase()))];
  const partnerships: Partnership[] = [];
  for (const c of codes) {
    const p = await em.findOne(Partnership, { code: c });
    if (!p) problems.push(`partnership ${c} is not registered (csp-hub partnership add --csp-code ${c})`);
    else partnerships.push(p);
  }
  if (existing && codes.length === 0) problems.push(`agency ${code} already exists: name --partnership to add it to a partnership`);
  if (problems.length > 0) throw HubError.invalidInput('INVALID_AGENCY', `The agency is not valid: ${problems.join('; ')}.`, { problems });

  try {
    return await inOperatorUnitOfWork({ ...op, em }, async ({ em: tx, audit }) => {
      const agency =
        existing ??
        tx.create(Agency, {
          code,
          name: input.name!.trim(),
          type: input.type as AgencyType,
          forceName: input.forceName?.trim() || null,
          statutory: input.statutory ?? STATUTORY_TYPES.includes(input.type as AgencyType),
          createdAt: new Date(),
        });
      if (existing) tx.persist(agency);
      const joined: Partnership[] = [];
      for (const p of partnerships) {
        const mine = await tx.findOneOrFail(Partnership, { id: p.id }, { populate: ['agencies'] });
        if (!mine.agencies.contains(agency)) {
          mine.agencies.add(agency);
          joined.push(mine);
        }
      }
      await tx.flush();
      if (!existing) {
        await audit({
          partnershipId: joined[0]?.id ?? null,
          operation: 'create',
          objectType: 'Agency',
          objectId: String(agency.id),
          detail: { code, type: agency.type, statutory: agency.statutory, forceName: agency.forceName },
          rowCount: 1,
          agreementIds: [],
        });
      }
      for (const p of joined) {
        await audit({
          partnershipId: p.id,
          operation: 'update',
          objectType: 'Partnership',
          objectId: String(p.id),
          detail: { addedAgency: { id: agency.id, code } },
          rowCount: 1,
          agreementIds: [],
        });
      }
      return { agency: await agencyView(tx, agency), created: !existing, joined: joined.map((p) => p.code) };
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw HubError.conflict('AGENCY_EXISTS', `Agency ${code} was registered by someone else meanwhile; run the command again to add memberships.`);
    throw error;
  }
}

/** Agencies (of one partnership, by CSP code, or all), by name. */
export async function listAgencies(em: EntityManager, partnershipCode?: string): Promise<AgencyView[]> {
  const rows = partnershipCode ? (await (await getPartnershipByCode(em, partnershipCode)).agencies.init()).getItems() : await em.find(Agency, {});
  const views = await Promise.all(rows.map((a) => agencyView(em, a)));
  return views.sort((a, b) => a.name.localeCompare(b.name));
}

/** Active users per agency of a partnership (for membership listings). */
export async function activeUsersByAgency(em: EntityManager, partnershipId: number): Promise<Map<number, number>> {
  const users = await em.find(User, { partnership: partnershipId, active: true }, { fields: ['id', 'agency'] });
  const counts = new Map<number, number>();
  for (const u of users) counts.set(u.agency.id, (counts.get(u.agency.id) ?? 0) + 1);
  return counts;
}
