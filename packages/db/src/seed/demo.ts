import type { EntityManager } from '@mikro-orm/postgresql';
import { Agency, Partnership, User } from '../entities';
import { seedDemoAgreements } from './demo-agreements';
import { DEMO_AGENCIES, DEMO_PARTNERSHIPS, DEMO_USER_TEMPLATES, demoEmail } from './demo-data';

export interface DemoSeedResult {
  partnerships: number;
  agencies: number;
  users: number;
  agreements: number;
}

/**
 * Upserts the demo partnerships, their agencies and users. Safe to run again:
 * rows are matched on their codes and e-mail addresses.
 */
export async function seedDemo(em: EntityManager): Promise<DemoSeedResult> {
  const seeded = await seedPartnerships(em);
  const agreements = await seedDemoAgreements(em.fork());
  return { ...seeded, agreements };
}

async function seedPartnerships(em: EntityManager): Promise<Omit<DemoSeedResult, 'agreements'>> {
  return em.transactional(async (tx) => {
    const agencies = new Map<string, Agency>();
    for (const a of DEMO_AGENCIES) {
      const agency = await tx.upsert(Agency, { code: a.code, name: a.name, type: a.type, statutory: a.statutory, forceName: a.forceName ?? null }, {
        onConflictFields: ['code'],
        onConflictExcludeFields: ['id', 'createdAt'],
      });
      agencies.set(a.code, agency);
    }
    const agency = (code: string): Agency => {
      const found = agencies.get(code);
      if (!found) throw new Error(`demo data names unknown agency ${code}`);
      return found;
    };
    let users = 0;
    for (const p of DEMO_PARTNERSHIPS) {
      const partnership = await tx.upsert(
        Partnership,
        { code: p.code, name: p.name, ladCodes: p.ladCodes, countyCode: p.countyCode, pfaCode: p.pfaCode },
        { onConflictFields: ['code'], onConflictExcludeFields: ['id', 'createdAt'] },
      );
      await partnership.agencies.init();
      const { others, ...slots } = p.agencies;
      for (const code of [...Object.values(slots), ...others]) {
        if (!partnership.agencies.contains(agency(code))) partnership.agencies.add(agency(code));
      }
      for (const t of DEMO_USER_TEMPLATES) {
        await tx.upsert(
          User,
          {
            email: demoEmail(p.slug, t.handle),
            displayName: `${t.title}, ${p.name.replace(' Community Safety Partnership', '')}`,
            agency: agency(p.agencies[t.slot]),
            partnership,
            roles: t.roles,
            active: true,
          },
          { onConflictFields: ['email'], onConflictExcludeFields: ['id', 'createdAt'] },
        );
        users += 1;
      }
    }
    await tx.flush();
    return { partnerships: DEMO_PARTNERSHIPS.length, agencies: DEMO_AGENCIES.length, users };
  });
}
