import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { NextFunction, Request, Response } from 'express';
import type { Counter, Histogram } from 'prom-client';
import { Metric } from '../metrics/metrics';

/** Set by the controller so a 200 can be told apart as accepted or duplicate. */
export type PostbackOutcomeRequest = Request & { postbackOutcome?: 'accepted' | 'duplicate' };

/**
 * Counts every postback by outcome and times accepted ones, from the express layer so 400/403/413 answers
 * (decided before any controller runs) are counted the same way as 200s.
 */
@Injectable()
export class PostbackMetrics {
  constructor(
    @InjectMetric(Metric.Postbacks) private readonly postbacks: Counter<string>,
    @InjectMetric(Metric.PostbackAckSeconds) private readonly ackSeconds: Histogram<string>,
  ) {}

  readonly track = (req: PostbackOutcomeRequest, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const outcome = res.statusCode === 200 ? (req.postbackOutcome ?? 'accepted') : String(res.statusCode);
      this.postbacks.inc({ outcome });
      if (res.statusCode === 200) this.ackSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
