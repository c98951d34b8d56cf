import { Global, Module } from '@nestjs/common';
import { Notifier } from './notifier.service';

/** Alerts to humans (webhook, Telegram). Global: strategies, the gateway and the rails all raise alerts. */
@Global()
@Module({ providers: [Notifier], exports: [Notifier] })
export class NotifierModule {}
