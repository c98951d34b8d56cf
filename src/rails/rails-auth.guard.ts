import { CanActivate, ExecutionContext, ForbiddenException, Injectable, Logger, OnModuleInit, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request } from 'express';
import type { LegworkConfig } from '../config/legwork.config';
import { secretsEqual } from '../common/secrets-equal';
import { foreignHostProblem, isLoopbackHost, isProxied } from '../common/loopback';

export type RailsAccessDecision = { allowed: true } | { allowed: false; status: 401 | 403; message: string };

/**
 * Who may use the rails endpoints (the kill switch can stop and re-arm trading, so a token of its own, not the
 * read-only trade log's), with the trade log's rule:
 *   - RAILS_TOKEN set: `Authorization: Bearer <RAILS_TOKEN>` on any host.
 *   - no token, HOST on loopback: open, except requests relayed by a proxy or tunnel and requests whose Host header
 *     names another machine (DNS rebinding).
 *   - no token, HOST beyond loopback: closed (403), naming RAILS_TOKEN.
 */
export function decideRailsAccess(req: {
  token: string | undefined;
  host: string;
  authorization: string | undefined;
  proxied: boolean;
  hostHeader: string | undefined;
}): RailsAccessDecision {
  if (req.token) {
    const presented = /^Bearer\s+(.+)$/i.exec(req.authorization?.trim() ?? '')?.[1]?.trim();
    if (presented !== undefined && secretsEqual(req.token, presented)) return { allowed: true };
    return { allowed: false, status: 401, message: presented === undefined ? 'the rails endpoints need Authorization: Bearer <RAILS_TOKEN>' : 'wrong rails token' };
  }
  if (!isLoopbackHost(req.host)) {
    return {
      allowed: false,
      status: 403,
      message: `the rails endpoints are off: the engine listens on ${req.host}, beyond loopback, and RAILS_TOKEN is not set. Set RAILS_TOKEN (16+ characters), or use npm run killswitch on the engine's machine`,
    };
  }
  if (req.proxied) {
    return { allowed: false, status: 403, message: 'the rails endpoints are off for proxied requests while RAILS_TOKEN is not set' };
  }
  const foreign = foreignHostProblem(req.hostHeader, 'RAILS_TOKEN');
  if (foreign) return { allowed: false, status: 403, message: `rails endpoints ${foreign}` };
  return { allowed: true };
}

/** NestJS guard over /rails (kill switch, usage, external orders). See decideRailsAccess. */
@Injectable()
export class RailsAuthGuard implements CanActivate, OnModuleInit {
  private readonly logger = new Logger('Rails');
  private readonly token: string | undefined;
  private readonly host: string;

  constructor(config: ConfigService<LegworkConfig, true>) {
    this.token = config.get('rails', { infer: true }).token;
    this.host = config.get('http', { infer: true }).host;
  }

  onModuleInit(): void {
    if (!this.token && !isLoopbackHost(this.host)) {
      this.logger.warn(`rails endpoints (kill switch over HTTP) are OFF (403): HOST=${this.host} is beyond loopback and RAILS_TOKEN is not set`);
    }
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const decision = decideRailsAccess({
      token: this.token,
      host: this.host,
      authorization: req.headers.authorization,
      proxied: isProxied(req.headers),
      hostHeader: req.headers.host,
    });
    if (decision.allowed) return true;
    this.logger.warn(`rails: ${decision.status} for ${req.method} ${req.path} from ${req.ip}`);
    if (decision.status === 401) throw new UnauthorizedException(decision.message);
    throw new ForbiddenException(decision.message);
  }
}
