import { ArrayType, Check, Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
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
export class User {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', columnType: 'text', unique: true })
  email!: string;

  @Property({ type: 'string', columnType: 'text' })
  displayName!: string;

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
