import { ArrayType, Check, Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { ROLES, type Role } from '@csp-hub/taxonomy';
import { Agency } from './agency.entity';
import { Partnership } from './partnership.entity';

/** A person who signs in: one agency, one partnership, one or more roles. */
@Entity({ tableName: 'app_user', comment: 'Hub users; roles are checked against ROLES by a constraint' })
@Check({
  name: 'app_user_roles_known',
  // Written from ROLES, so a new role needs only a migration (the diff picks it up).
  expression: `roles <@ array[${ROLES.map((r) => `'${r}'`).join(', ')}]::text[] and cardinality(roles) > 0`,
})
// Sign-in by e-mail (OpenID Connect) matches case-insensitively: one user per e-mail whatever its case.
@Index({
  name: 'app_user_email_lower_unique',
  expression: 'create unique index "app_user_email_lower_unique" on "app_user" (lower("email"))',
})
export class User {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', columnType: 'text', unique: true })
  email!: string;

  @Property({ type: 'string', columnType: 'text' })
  displayName!: string;

  /**
   * The user's subject (`sub`) at the OpenID Connect provider, when sign-in maps
   * by subject (OIDC_USER_CLAIM=sub); at most one user per subject.
   */
  @Property({ type: 'string', columnType: 'text', nullable: true, unique: true, comment: 'sub claim at the OpenID Connect provider (OIDC_USER_CLAIM=sub)' })
  externalSubject: string | null = null;

  @ManyToOne({ entity: () => Agency, deleteRule: 'restrict' })
  agency!: Agency;

  @ManyToOne({ entity: () => Partnership, deleteRule: 'restrict' })
  partnership!: Partnership;

  @Property({ type: ArrayType, columnType: 'text[]' })
  roles: Role[] = [];

  @Property({ type: 'boolean', default: true })
  active: boolean = true;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
