import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { METRIC_PROVIDERS } from './metrics';

/**
 * Prometheus metrics at GET /metrics (prom-client through @willsoto/nestjs-prometheus). Every feature module
 * that counts imports this one and injects the metrics declared in metrics.ts.
 */
@Module({
  imports: [PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true } })],
  providers: METRIC_PROVIDERS,
  exports: METRIC_PROVIDERS,
})
export class MetricsModule {}
