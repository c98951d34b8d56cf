import { Module } from '@nestjs/common';
import { Leadership } from '../leadership/leadership';
import { InstanceRoleSource, LeadershipRole } from './instance-role';
import { LeadershipModule } from '../leadership/leadership.module';

/** This process's role among the engine's instances: from the leadership (single on SQLite; leader or standby on PostgreSQL). */
@Module({
  imports: [LeadershipModule],
  providers: [{ provide: InstanceRoleSource, inject: [Leadership], useFactory: (leadership: Leadership) => new LeadershipRole(leadership) }],
  exports: [InstanceRoleSource],
})
export class InstanceModule {}
