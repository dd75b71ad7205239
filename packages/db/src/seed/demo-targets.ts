/**
 * The targets the demo partnerships' own community safety plans set (issue #13). The plans' baselines
 * are historical (2006/07 onwards) and the hub holds other years, so the demo rebases each target onto
 * the data present: the baseline becomes what the partnership's chair counts in the demo's baseline
 * month through the authorized relation, the trajectory runs from there, and the plan's wording and
 * baseline are kept as provenance (packages/insight targets-demo.ts does the counting).
 */
export interface DemoTargetPlan {
  /** DemoPartnership slug. */
  partnership: string;
  title: string;
  /** The plan's words. */
  planWording: string;
  source: string;
  planBaseline: { value: number; period: string } | null;
  priorities: string[];
  sourceCategories?: string[];
  feeds?: string[];
  kind: 'count' | 'place-subset' | 'repeats';
  direction: 'down' | 'up';
  changePct: number;
  /** Years from the start to the target date. */
  years: number;
  /** place-subset: how many top places are fixed at the baseline. */
  topPlaces?: number;
  /** What the demo measures when the plan's measure is not in the hub's data, and other choices made. */
  note?: string;
}

/**
 * Police-recorded crime: the plans' measures. Naming the feed also keeps partners' counts-only data
 * (e.g. ISTV returns) out of the read, which would otherwise make every count perturbed.
 */
const POLICE = ['police.street'];

export const DEMO_TARGET_PLANS: DemoTargetPlan[] = [
  {
    partnership: 'oadby-wigston',
    title: 'Reduce criminal damage by 10% over 3 years',
    planWording: '10% reduction in criminal damage over 3 years',
    source: 'Oadby and Wigston Community Safety Partnership plan',
    planBaseline: null,
    priorities: ['criminal_damage_arson'],
    sourceCategories: ['Criminal damage and arson'],
    feeds: POLICE,
    kind: 'count',
    direction: 'down',
    changePct: 10,
    years: 3,
  },
  {
    partnership: 'oadby-wigston',
    title: 'Year-on-year reduction in acquisitive crime',
    planWording: 'Year-on-year reduction in acquisitive crime',
    source: 'Oadby and Wigston Community Safety Partnership plan',
    planBaseline: null,
    priorities: ['acquisitive_crime'],
    feeds: POLICE,
    kind: 'count',
    direction: 'down',
    changePct: 1,
    years: 1,
    note: 'The plan sets no size; the demo asks for any reduction within a year (1%).',
  },
  {
    partnership: 'oadby-wigston',
    title: 'Reduce repeat victimisation by 10%',
    planWording: '10% reduction in repeat victimisation',
    source: 'Oadby and Wigston Community Safety Partnership plan',
    planBaseline: null,
    priorities: ['anti_social_behaviour'],
    feeds: POLICE,
    kind: 'repeats',
    direction: 'down',
    changePct: 10,
    years: 3,
    note: 'Victims are not identified in shared data: the demo counts anti-social behaviour at repeat locations (street-level place + LSOA hit twice or more in the month).',
  },
  {
    partnership: 'oadby-wigston',
    title: 'Reduce violent crime in the top five hotspot locations by 10%',
    planWording: '10% reduction in violent crime in the top five hotspot locations',
    source: 'Oadby and Wigston Community Safety Partnership plan',
    planBaseline: null,
    priorities: ['violence'],
    sourceCategories: ['Violence and sexual offences'],
    feeds: POLICE,
    kind: 'place-subset',
    direction: 'down',
    changePct: 10,
    years: 3,
    topPlaces: 5,
    note: 'The five locations are fixed at the baseline month and stay the same set afterwards.',
  },
  {
    partnership: 'charnwood',
    title: 'Reduce criminal damage to other property',
    planWording: 'Reduce criminal damage to other property against a baseline of 549 crimes (2006/07)',
    source: 'Charnwood Community Safety Partnership plan',
    planBaseline: { value: 549, period: '2006/07' },
    priorities: ['criminal_damage_arson'],
    sourceCategories: ['Criminal damage and arson'],
    feeds: POLICE,
    kind: 'count',
    direction: 'down',
    changePct: 10,
    years: 3,
    note: 'data.police.uk does not separate damage to other property; the demo counts all criminal damage and arson, and seeks 10% over 3 years (the plan gives no size).',
  },
  {
    partnership: 'charnwood',
    title: 'Reduce cycle theft',
    planWording: 'Reduce cycle theft against a baseline of 504',
    source: 'Charnwood Community Safety Partnership plan',
    planBaseline: { value: 504, period: '2006/07' },
    priorities: ['acquisitive_crime'],
    sourceCategories: ['Bicycle theft'],
    feeds: POLICE,
    kind: 'count',
    direction: 'down',
    changePct: 10,
    years: 3,
    note: 'The plan gives no size; the demo seeks 10% over 3 years.',
  },
  {
    partnership: 'charnwood',
    title: 'Increase reporting of hate incidents',
    planWording: 'Increase reporting of hate incidents against a baseline of 200',
    source: 'Charnwood Community Safety Partnership plan',
    planBaseline: { value: 200, period: '2006/07' },
    priorities: ['anti_social_behaviour'],
    sourceCategories: ['Public order'],
    feeds: POLICE,
    kind: 'count',
    direction: 'up',
    changePct: 10,
    years: 3,
    note: 'No feed in the hub records hate incidents; the demo measures public order offences as a stand-in, with up as good (10% more over 3 years).',
  },
  {
    partnership: 'west-oxfordshire',
    title: 'Reduce serious acquisitive crime by 5%',
    planWording: 'Reduce serious acquisitive crime by 5%',
    source: 'West Oxfordshire Community Safety Partnership plan',
    planBaseline: null,
    priorities: ['acquisitive_crime'],
    sourceCategories: ['Burglary', 'Robbery', 'Vehicle crime'],
    feeds: POLICE,
    kind: 'count',
    direction: 'down',
    changePct: 5,
    years: 3,
    note: 'Serious acquisitive crime = burglary, robbery and vehicle crime; 3 years assumed.',
  },
  {
    partnership: 'harborough',
    title: 'Reduce vehicle crime',
    planWording: 'Reduce vehicle crime',
    source: 'Harborough Community Safety Partnership plan',
    planBaseline: null,
    priorities: ['acquisitive_crime'],
    sourceCategories: ['Vehicle crime'],
    feeds: POLICE,
    kind: 'count',
    direction: 'down',
    changePct: 10,
    years: 3,
    note: 'The plan gives no size; the demo seeks 10% over 3 years.',
  },
  {
    partnership: 'north-west-leicestershire',
    title: 'Reduce domestic burglary',
    planWording: 'Reduce domestic burglary',
    source: 'North West Leicestershire Community Safety Partnership plan',
    planBaseline: null,
    priorities: ['acquisitive_crime'],
    sourceCategories: ['Burglary'],
    feeds: POLICE,
    kind: 'count',
    direction: 'down',
    changePct: 10,
    years: 3,
    note: 'data.police.uk publishes all burglary (domestic and business) as one category; the plan gives no size: 10% over 3 years.',
  },
];
