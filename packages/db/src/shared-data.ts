/**
 * The entities that hold shared data: incidents, the submissions that brought
 * them, their rejects and notes, and the audit log. Only @csp-hub/authz (which
 * reads them for users) and @csp-hub/ingest (which writes them) may import
 * this entry; dependency-cruiser refuses it anywhere else, the gateway included.
 */
export { AuditEntry, Incident, IngestReject, Submission } from './entities';
