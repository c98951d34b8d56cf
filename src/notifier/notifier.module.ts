import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { Notifier } from './notifier.service';

/** Alerts to humans (webhook, Telegram): strategies, the gateway and the rails all raise alerts. */
@Module({ imports: [MetricsModule], providers: [Notifier], exports: [Notifier] })
export class NotifierModule {}
