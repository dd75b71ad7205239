import { Agency } from './agency.entity';
import { AuditEntry } from './audit-entry.entity';
import { IspAgreement } from './isp-agreement.entity';
import { Area } from './area.entity';
import { Incident } from './incident.entity';
import { IngestReject } from './ingest-reject.entity';
import { RegisteredLayout } from './layout.entity';
import { Partnership } from './partnership.entity';
import { PriorityTarget } from './priority-target.entity';
import { RateLimitCounter } from './rate-limit-counter.entity';
import { Submission } from './submission.entity';
import { User } from './user.entity';

export { Agency, Area, AuditEntry, Incident, IngestReject, IspAgreement, Partnership, PriorityTarget, RateLimitCounter, RegisteredLayout, Submission, User };
export { PLACE_UNITS, TARGET_DIRECTION_VALUES, TARGET_KIND_VALUES, TARGET_STATUSES } from './priority-target.entity';
export type { PlaceUnit, PriorityTargetKind, PriorityTargetStatus, TargetProvenance } from './priority-target.entity';
export { AGREEMENT_STATUSES } from './isp-agreement.entity';
export type { AgreementActor, AgreementApproval, AgreementStatus, AgreementTerms, PendingApproval, Signatory } from './isp-agreement.entity';
export { AREA_KINDS } from './area.entity';
export type { AreaKind } from './area.entity';
export { SUBMISSION_STATUSES } from './submission.entity';
export type { SubmissionStatus } from './submission.entity';

/** Every entity the ORM knows, in one list (the migration diff and the app use the same). */
export const ENTITIES = [Partnership, Agency, User, Area, Submission, IngestReject, Incident, IspAgreement, AuditEntry, RateLimitCounter, RegisteredLayout, PriorityTarget];
