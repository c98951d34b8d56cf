import { Injectable } from '@nestjs/common';
import type { Leadership } from '../leadership/leadership';

export type InstanceRoleName = 'single' | 'leader' | 'standby';

export interface InstanceRole {
  role: InstanceRoleName;
  /** What a trader reads, e.g. "single instance". */
  label: string;
}

/**
 * Which part this engine process plays among the instances sharing its database. The one place the /trades page,
 * `npm run trades -- watch` (and later health and metrics) read it from: running several instances replaces the
 * provider (InstanceModule) with one that knows the leadership; nothing that reads it changes.
 */
export abstract class InstanceRoleSource {
  abstract current(): InstanceRole;
}

/** One engine on its own database: it is the only instance, so it always processes and sends. */
@Injectable()
export class SingleInstanceRole extends InstanceRoleSource {
  current(): InstanceRole {
    return { role: 'single', label: 'single instance' };
  }
}

/** Several instances on PostgreSQL: the role the leadership lease gives this one now. */
export class LeadershipRole extends InstanceRoleSource {
  constructor(private readonly leadership: Leadership) {
    super();
  }
  current(): InstanceRole {
    const { role, epoch } = this.leadership.status();
    if (role === 'single') return { role, label: 'single instance' };
    return role === 'leader' ? { role, label: `leader (epoch ${epoch})` } : { role, label: 'standby (takes postbacks; another instance sends orders)' };
  }
}
