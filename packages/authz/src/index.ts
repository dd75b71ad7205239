export { AGREEMENT_ROLES, agreementIdOfReason, buildAbility, DATA_ROLES } from './ability';
export type { AbilityContext, Grant, HubAbility, HubAction, HubSubject, HubSubjectName } from './ability';
export { audit, authenticateAccess, createAccessContext, emExecutor, inActorUnitOfWork, inOperatorUnitOfWork, inUnitOfWork, isOperator } from './access';
export type { AccessContext, Actor, AuditEntryInput, OperatorContext, UnitOfWork } from './access';
export { countIncidentsBy, GROUP_BY_FIELDS } from './aggregates';
export type { CountCell, CountRequest, CountValue, GroupByField, ProviderCounts } from './aggregates';
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
export type { AuditRecord, AuditVerification, SqlExecutor } from './audit';
export { explainAccess } from './explain';
export type { AccessExplanation, AccessLine } from './explain';
export { ALL_INCIDENT_FIELDS, BASE_FIELDS, DETAIL_FIELDS, RESTRICTED_FIELDS } from './fields';
export type { IncidentField } from './fields';
export { loadGrants, londonToday } from './grants';
export { countIncidents, exportIncidents, getIncident, listIncidents, MAX_PAGE } from './incidents';
export type { IncidentFilter, IncidentPage, IncidentView, PageRequest } from './incidents';
export { hasRole, loadPrincipal } from './principal';
export type { Principal } from './principal';
export { DEFAULT_SDC, protectTable } from './sdc';
export type { SdcOptions, SdcTable } from './sdc';
export { getSubmission, listRejects, listSubmissions } from './submissions';
export type { RejectView, SubmissionQuery, SubmissionView } from './submissions';
