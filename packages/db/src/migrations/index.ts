import type { Migration } from '@mikro-orm/migrations';
import { Migration20261201064500_page_index_by_agency } from './Migration20261201064500_page_index_by_agency';
import { Migration20261201084827_analysis_lad_index } from './Migration20261201084827_analysis_lad_index';
import { Migration20261201070000_analyze_function } from './Migration20261201070000_analyze_function';
import { Migration20261201090000_targets } from './Migration20261201090000_targets';
import { Migration20261201064000_duplicate_per_layout } from './Migration20261201064000_duplicate_per_layout';
import { Migration20261201054854_relation_page_indexes } from './Migration20261201054854_relation_page_indexes';
import { Migration20261201041725_user_external_subject } from './Migration20261201041725_user_external_subject';
import { Migration20261201041616_incident_revisions } from './Migration20261201041616_incident_revisions';
import { Migration20261201041732_approvals_data_owner_district_parents } from './Migration20261201041732_approvals_data_owner_district_parents';
import { Migration20261201041958_rate_limit_counter } from './Migration20261201041958_rate_limit_counter';
import { Migration20261201044723_layouts } from './Migration20261201044723_layouts';
import { Migration20261201040824_agency_force_name } from './Migration20261201040824_agency_force_name';
import { Migration20261123164203_lean_incident_indexes } from './Migration20261123164203_lean_incident_indexes';
import { Migration20261123162004_area_method_comment } from './Migration20261123162004_area_method_comment';
import { Migration20261123160651_incident_page_index } from './Migration20261123160651_incident_page_index';
import { Migration20261123154843_isp_and_audit } from './Migration20261123154843_isp_and_audit';
import { Migration20261123152523_foundation } from './Migration20261123152523_foundation';

type MigrationClass = new (...args: ConstructorParameters<typeof Migration>) => Migration;

/** Every migration, oldest first. Never edit one that has landed; add a new one. */
export const MIGRATIONS: { name: string; class: MigrationClass }[] = [
  { name: 'Migration20261123152523_foundation', class: Migration20261123152523_foundation },
  { name: 'Migration20261123154843_isp_and_audit', class: Migration20261123154843_isp_and_audit },
  { name: 'Migration20261123160651_incident_page_index', class: Migration20261123160651_incident_page_index },
  { name: 'Migration20261123162004_area_method_comment', class: Migration20261123162004_area_method_comment },
  { name: 'Migration20261123164203_lean_incident_indexes', class: Migration20261123164203_lean_incident_indexes },
  { name: 'Migration20261201040824_agency_force_name', class: Migration20261201040824_agency_force_name },
  { name: 'Migration20261201041616_incident_revisions', class: Migration20261201041616_incident_revisions },
  { name: 'Migration20261201041725_user_external_subject', class: Migration20261201041725_user_external_subject },
  { name: 'Migration20261201041732_approvals_data_owner_district_parents', class: Migration20261201041732_approvals_data_owner_district_parents },
  { name: 'Migration20261201041958_rate_limit_counter', class: Migration20261201041958_rate_limit_counter },
  { name: 'Migration20261201044723_layouts', class: Migration20261201044723_layouts },
  { name: 'Migration20261201054854_relation_page_indexes', class: Migration20261201054854_relation_page_indexes },
  { name: 'Migration20261201064000_duplicate_per_layout', class: Migration20261201064000_duplicate_per_layout },
  { name: 'Migration20261201064500_page_index_by_agency', class: Migration20261201064500_page_index_by_agency },
  { name: 'Migration20261201070000_analyze_function', class: Migration20261201070000_analyze_function },
  { name: 'Migration20261201084827_analysis_lad_index', class: Migration20261201084827_analysis_lad_index },
  { name: 'Migration20261201090000_targets', class: Migration20261201090000_targets },
];
