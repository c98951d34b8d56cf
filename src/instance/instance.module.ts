import { Module } from '@nestjs/common';
import { InstanceRoleSource, SingleInstanceRole } from './instance-role';

/** This process's role among the engine's instances (today always the single one). */
@Module({
  providers: [{ provide: InstanceRoleSource, useClass: SingleInstanceRole }],
  exports: [InstanceRoleSource],
})
export class InstanceModule {}
