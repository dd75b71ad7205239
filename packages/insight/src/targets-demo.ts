import { authenticateAccess, type AccessContext, type CellKeyOptions, type OperatorContext } from '@csp-hub/authz';
import { DEMO_PARTNERSHIPS, DEMO_TARGET_PLANS, demoEmail, Partnership, PriorityTarget, User, type DemoTargetPlan } from '@csp-hub/db';
import { createTarget, dayAfterMonth } from './targets';
import { countWindow, placesAtBaseline, type TargetMeasure } from './targets-progress';

/**
 * The demo partnerships' plan targets (packages/db seed/demo-targets.ts), rebased onto the data the hub
 * holds: each baseline is what the partnership's chair counts in `baselineMonth` through the authorized
 * relation (so it is disclosure-controlled where the chair may only count), the trajectory starts the
 * day after it, and the plan's own wording and baseline are kept as provenance. Written by the operator
 * (audited as such). Idempotent: a partnership's target of the same title is left as it is. A target
 * whose measure the chair sees nothing of in that month is not created, and is reported.
 */
export interface DemoTargetsResult {
  created: number;
  existing: number;
  skipped: { partnership: string; title: string; reason: string }[];
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function monthLabel(month: string): string {
  return `${MONTH_NAMES[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
}

function yearsAfter(date: string, years: number): string {
  return `${Number(date.slice(0, 4)) + years}${date.slice(4)}`;
}

export async function seedDemoTargets(
  operator: OperatorContext,
  options: { baselineMonth: string; cellKey?: CellKeyOptions; plans?: readonly DemoTargetPlan[] },
): Promise<DemoTargetsResult> {
  const result: DemoTargetsResult = { created: 0, existing: 0, skipped: [] };
  const chairs = new Map<string, AccessContext>();
  const m = options.baselineMonth;
  for (const plan of options.plans ?? DEMO_TARGET_PLANS) {
    const demo = DEMO_PARTNERSHIPS.find((p) => p.slug === plan.partnership);
    if (!demo) throw new Error(`demo target names unknown partnership ${plan.partnership}`);
    const em = operator.em.fork();
    const partnership = await em.findOneOrFail(Partnership, { code: demo.code });
    if (await em.findOne(PriorityTarget, { partnership: partnership.id, title: plan.title })) {
      result.existing += 1;
      continue;
    }
    let chair = chairs.get(demo.code);
    if (!chair) {
      const user = await em.findOneOrFail(User, { email: demoEmail(demo.slug, 'district.chair') });
      chair = await authenticateAccess(operator.db, em, user.id, partnership.id);
      chairs.set(demo.code, chair);
    }
    const measure: TargetMeasure = {
      priorities: plan.priorities,
      sourceCategories: plan.sourceCategories ?? [],
      feeds: plan.feeds ?? [],
      kind: plan.kind,
      placeUnit: plan.kind === 'count' ? null : 'location',
      places: null,
    };
    let baselineValue: number;
    let controlled: boolean;
    if (plan.kind === 'place-subset') {
      try {
        const top = await placesAtBaseline(chair, measure, m, m, plan.topPlaces ?? 5, options.cellKey);
        measure.places = top.places;
        baselineValue = top.baselineValue;
        controlled = top.controlled;
      } catch {
        result.skipped.push({ partnership: demo.code, title: plan.title, reason: `no located incidents in ${monthLabel(m)}` });
        continue;
      }
    } else {
      const counted = await countWindow(chair, measure, m, m, { ...(options.cellKey ? { cellKey: options.cellKey } : {}), audit: { seed: 'demo targets' } });
      baselineValue = counted.value;
      controlled = counted.controlled;
    }
    if (baselineValue === 0) {
      result.skipped.push({ partnership: demo.code, title: plan.title, reason: `the chair counts none in ${monthLabel(m)}` });
      continue;
    }
    const start = dayAfterMonth(m);
    const planned = plan.planBaseline ? `the plan's baseline was ${plan.planBaseline.value} (${plan.planBaseline.period})` : 'the plan states no baseline';
    await createTarget(operator, partnership.id, {
      title: plan.title,
      priorities: plan.priorities,
      sourceCategories: plan.sourceCategories ?? [],
      feeds: plan.feeds ?? [],
      kind: plan.kind,
      direction: plan.direction,
      baselineValue,
      baselinePeriod: `${monthLabel(m)} (demo, rebased)`,
      baselineFrom: m,
      baselineTo: m,
      changePct: plan.changePct,
      startDate: start,
      targetDate: yearsAfter(start, plan.years),
      milestones: plan.years === 1 ? 'quarter' : 'year',
      placeUnit: measure.placeUnit,
      places: measure.places,
      provenance: {
        planWording: plan.planWording,
        source: plan.source,
        planBaseline: plan.planBaseline,
        rebased:
          `Rebased for the demo: ${baselineValue} is what the partnership chair counted in ${monthLabel(m)} through the authorized relation` +
          `${controlled ? ' (disclosure-controlled)' : ''}, measured monthly from then; ${planned}.${plan.note ? ` ${plan.note}` : ''}`,
      },
    });
    result.created += 1;
  }
  return result;
}
