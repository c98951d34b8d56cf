import {
  CanActivate, ExecutionContext, ForbiddenException, Injectable, Logger, OnModuleInit, SetMetadata, UnauthorizedException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import basicAuth from 'basic-auth';
import type { Request, Response } from 'express';
import { foreignHostProblem, isLoopbackHost, isProxied } from '../common/loopback';
import { secretsEqual } from '../common/secrets-equal';
import type { LegworkConfig } from '../config/legwork.config';

/** Marks the HTML page route: it accepts the token as ?token= (the page then sends it as a Bearer header). */
export const TRADE_LOG_PAGE = 'tradeLogPage';
export const TradeLogPage = () => SetMetadata(TRADE_LOG_PAGE, true);
/** Marks the live stream: it too accepts ?token=, because a browser's EventSource cannot send an Authorization header. */
export const TRADE_LOG_STREAM = 'tradeLogStream';
export const TradeLogStream = () => SetMetadata(TRADE_LOG_STREAM, true);

export const TRADE_LOG_REALM = 'legwork trade log';

export interface AccessRequest {
  /** Configured TRADE_LOG_TOKEN, if any. */
  token: string | undefined;
  /** Configured listen host (HOST). */
  host: string;
  authorization: string | undefined;
  /** ?token= on the page route only. */
  queryToken: string | undefined;
  /** The request came through a proxy or tunnel (Forwarded / X-Forwarded-For / X-Real-IP). */
  proxied: boolean;
  /** The request's Host header. */
  hostHeader: string | undefined;
}

export type AccessDecision =
  | { allowed: true }
  | { allowed: false; status: 401 | 403; message: string };

function presentedToken(req: Pick<AccessRequest, 'authorization' | 'queryToken'>): string | undefined {
  const header = req.authorization?.trim();
  if (header) {
    const bearer = /^Bearer\s+(.+)$/i.exec(header);
    if (bearer) return bearer[1].trim();
    const basic = basicAuth.parse(header);
    if (basic) return basic.pass; // any user name; the token is the password
  }
  return req.queryToken || undefined;
}

/**
 * Who may read the trade log (pure, so every case is unit-tested):
 *   - TRADE_LOG_TOKEN set: a request must present it (Bearer, basic-auth password, or ?token= on the page), on any host.
 *   - no token, HOST on loopback: open, except requests relayed by a proxy or tunnel (they come from elsewhere) and
 *     requests whose Host header names another machine (DNS rebinding).
 *   - no token, HOST beyond loopback: closed (403), with a message naming TRADE_LOG_TOKEN.
 */
export function decideTradeLogAccess(req: AccessRequest): AccessDecision {
  if (req.token) {
    const presented = presentedToken(req);
    if (presented !== undefined && secretsEqual(req.token, presented)) return { allowed: true };
    return {
      allowed: false,
      status: 401,
      message: presented === undefined
        ? 'the trade log needs a token: send Authorization: Bearer <TRADE_LOG_TOKEN> (or open /trades?token=<TRADE_LOG_TOKEN>)'
        : 'wrong trade-log token',
    };
  }
  if (!isLoopbackHost(req.host)) {
    return {
      allowed: false,
      status: 403,
      message: `the trade log is off: the engine listens on ${req.host}, beyond loopback, and TRADE_LOG_TOKEN is not set. Set TRADE_LOG_TOKEN (16+ characters) to review trades over the network`,
    };
  }
  if (req.proxied) {
    return {
      allowed: false,
      status: 403,
      message: 'the trade log is off for proxied requests while TRADE_LOG_TOKEN is not set: this request came through a proxy or tunnel. Set TRADE_LOG_TOKEN to review trades through it',
    };
  }
  const foreign = foreignHostProblem(req.hostHeader, 'TRADE_LOG_TOKEN');
  if (foreign) return { allowed: false, status: 403, message: `trade log ${foreign}` };
  return { allowed: true };
}

/** NestJS guard over the /trades page and the /api/trade-log endpoints. See decideTradeLogAccess. */
@Injectable()
export class TradeLogAuthGuard implements CanActivate, OnModuleInit {
  private readonly logger = new Logger('TradeLog');
  private readonly token: string | undefined;
  private readonly host: string;

  constructor(config: ConfigService<LegworkConfig, true>, private readonly reflector: Reflector) {
    this.token = config.get('tradeLog', { infer: true }).token;
    this.host = config.get('http', { infer: true }).host;
  }

  onModuleInit(): void {
    if (!this.token && !isLoopbackHost(this.host)) {
      this.logger.warn(`trade log page and API are OFF (403): HOST=${this.host} is beyond loopback and TRADE_LOG_TOKEN is not set`);
    }
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const isPage = this.reflector.getAllAndOverride<boolean>(TRADE_LOG_PAGE, [context.getHandler(), context.getClass()]) ?? false;
    const isStream = this.reflector.getAllAndOverride<boolean>(TRADE_LOG_STREAM, [context.getHandler(), context.getClass()]) ?? false;
    const queryToken = (isPage || isStream) && typeof req.query.token === 'string' ? req.query.token : undefined;
    const decision = decideTradeLogAccess({
      token: this.token,
      host: this.host,
      authorization: req.headers.authorization,
      queryToken,
      proxied: isProxied(req.headers),
      hostHeader: req.headers.host,
    });
    if (decision.allowed) return true;
    this.logger.warn(`trade log: ${decision.status} for ${req.method} ${req.path} from ${req.ip}`);
    if (decision.status === 401) {
      // The page may also be opened with basic auth (any user name, the token as password): let browsers ask for it.
      const challenges = isPage ? [`Basic realm="${TRADE_LOG_REALM}", charset="UTF-8"`, `Bearer realm="${TRADE_LOG_REALM}"`] : [`Bearer realm="${TRADE_LOG_REALM}"`];
      http.getResponse<Response>().setHeader('WWW-Authenticate', challenges);
      throw new UnauthorizedException(decision.message);
    }
    throw new ForbiddenException(decision.message);
  }
}
