export { AGREEMENT_ROLES, agreementIdOfReason, buildAbility, DATA_ROLES } from './ability';
export type { AbilityContext, Grant, HubAbility, HubAction, HubSubject, HubSubjectName } from './ability';
export { audit, authenticateAccess, authenticateUser, createAccessContext, emExecutor, inActorUnitOfWork, inOperatorUnitOfWork, inUnitOfWork, isOperator, withPrincipal } from './access';
export type { AccessContext, Actor, AuditEntryInput, OperatorContext, UnitOfWork } from './access';
export { AGGREGATE_PLAN_SETTINGS, aggregateIncidents, countIncidentsBy, dimensions, field, GROUP_BY_FIELDS, ptableFor } from './aggregates';
export type { AggregateOptions, AggregateResult, AggregateSpec, CountCell, CountRequest, Dimension, GroupByField, ProviderCounts } from './aggregates';
export { buildPTable, cellKey, DEFAULT_CELL_KEY, KEY_SPACE, perturb } from './cell-key';
export type { CellKeyOptions, PTable } from './cell-key';
export { accessPlan, countTiers, listTiers } from './plan';
export type { AccessPlan, LadScope, Scope, TierAccess } from './plan';
export { compileFilter, INCIDENT_SQL_TYPES } from './relation';
export {
  AGREEMENT_TRANSITIONS,
  approveAgreement,
  canApproveFor,
  createAgreement,
  declineAgreement,
  getAgreement,
  listAgreements,
  narrowingPart,
  requestAgreementApproval,
  setAgreementStatus,
  updateAgreement,
  wideningOf,
} from './agreements';
export type { AgreementInput, AgreementView } from './agreements';
export { activeUsersByAgency, getPartnershipByCode, listAgencies, listPartnerships, registerAgency, registerPartnership } from './partnerships';
export type { AgencyInput, AgencyRegistration, AgencyView, PartnershipView } from './partnerships';
export { checkRoles, createUser, findUserIdByEmail, listUsers, setUserActive, setUserRoles } from './users';
export type { NewUser, UserView } from './users';
export { appendAudit, appendAuditIn, entryHash, GENESIS_HASH, verifyAudit } from './audit';
export type { AuditRecord, AuditVerification, CheckpointClaim, SqlExecutor } from './audit';
export { auditHead, keyIdOf, readCheckpoint, signCheckpoint } from './audit-checkpoint';
export type { AuditCheckpoint, AuditHead } from './audit-checkpoint';
export { explainAccess } from './explain';
export type { AccessExplanation, AccessLine } from './explain';
export { ALL_INCIDENT_FIELDS, BASE_FIELDS, DETAIL_FIELDS, RESTRICTED_FIELDS } from './fields';
export type { IncidentField } from './fields';
export { loadGrants, londonToday } from './grants';
export { countIncidents, exportIncidents, getIncident, listIncidents, MAX_PAGE } from './incidents';
export type { IncidentFilter, IncidentPage, IncidentView, PageRequest } from './incidents';
export { hasRole, loadPrincipal } from './principal';
export type { Principal, UserLookup } from './principal';
export { getSubmission, listRejects, listSubmissions, outlineMessage } from './submissions';
export type { RejectView, SubmissionQuery, SubmissionView } from './submissions';
export { SUBMISSION_DETAIL_FIELDS, SUBMISSION_OUTLINE_FIELDS } from './submission-fields';
export type { SubmissionField } from './submission-fields';
