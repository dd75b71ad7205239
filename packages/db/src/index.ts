// Shared data (incidents, submissions, their rejects, the audit log) is not exported here: only
// @csp-hub/authz and @csp-hub/ingest may reach it, through '@csp-hub/db/shared-data' (pnpm lint).
export { Agency, Area, IspAgreement, Partnership, PriorityTarget, PLACE_UNITS, TARGET_DIRECTION_VALUES, TARGET_KIND_VALUES, TARGET_STATUSES, RateLimitCounter, RegisteredLayout, User, ENTITIES, AGREEMENT_STATUSES, AREA_KINDS, SUBMISSION_STATUSES } from './entities';
export type { AgreementActor, AgreementApproval, AgreementStatus, AgreementTerms, AreaKind, PendingApproval, PlaceUnit, PriorityTargetKind, PriorityTargetStatus, Signatory, SubmissionStatus, TargetProvenance } from './entities';
export { createOrm, ormConfig, MIGRATIONS_TABLE } from './orm';
export type { OrmOptions } from './orm';
export { runMigrations, migrationNeeded, migrateDatabase } from './migrate';
export { APP_ROLE, APPEND_ONLY_TABLES, EMBEDDED_ROLE_PASSWORDS, OWNER_ROLE, grantAppRole, roleOf, runtimeRoleProblems, setUpRoles, withCredentials } from './roles';
export { openDatabase, ensureDatabase, dropDatabase, pingDatabase, probeDatabase, serverStatus, withDatabase } from './database';
export type { DatabaseHandle, DatabaseOptions, ProbeResult } from './database';
export { adoptRunningCluster, assertPortFree, embeddedAdminUrl, embeddedStatus, findRunningCluster, freePort, ownerFile, readOwner, startEmbeddedPostgres, stopPostmaster } from './embedded';
export type { EmbeddedOptions, EmbeddedOwner, EmbeddedStatus, RunningServer } from './embedded';
export { databaseUnavailableReason, isDatabaseUnavailable, isStatementCancelled } from './availability';
export { abortablePool, backendPid, cancelBackend, cancelOnAbort, QueryAbortedError } from './cancel';
export type { AbortWatch } from './cancel';
export { startScratchServer } from './scratch';
export type { ScratchServer } from './scratch';
export { seedDemo } from './seed/demo';
export { DEMO_AGREEMENTS, seedDemoAgreements } from './seed/demo-agreements';
export { DEMO_TARGET_PLANS } from './seed/demo-targets';
export type { DemoTargetPlan } from './seed/demo-targets';
export type { DemoSeedResult } from './seed/demo';
export { DEMO_AGENCIES, DEMO_APPROVERS, DEMO_PARTNERSHIPS, DEMO_USER_TEMPLATES, DEMO_EMAIL_DOMAIN, demoEmail } from './seed/demo-data';
export type { DemoAgency, DemoPartnership } from './seed/demo-data';
export type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
export { createReadPool } from './pools';
export { inTransaction } from './transaction';
export type { ReadPoolOptions } from './pools';
