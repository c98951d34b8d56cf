import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  Logger,
  SetMetadata,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { isProxied } from '../common/loopback';
import type { LegworkConfig } from '../config/legwork.config';
import { AccessArea, AccessConfig, decideAccess } from './access';

const ACCESS_AREA = 'legwork:access-area';
const QUERY_TOKEN = 'legwork:access-query-token';

/** How a route takes ?token=: the HTML page (which also offers basic auth to browsers), or a stream (EventSource cannot send headers). */
export type QueryTokenRoute = 'page' | 'stream';

/** Puts a controller or a route behind the access guard, in the given area. */
export const Protected = (area: AccessArea) => applyDecorators(SetMetadata(ACCESS_AREA, area), UseGuards(AccessGuard));

/** Lets a protected route also take the token as ?token=. */
export const AcceptsQueryToken = (route: QueryTokenRoute) => SetMetadata(QUERY_TOKEN, route);

/**
 * The one guard over legwork's protected endpoints. Which token and rule apply comes from the route's metadata
 * (@Protected(area), @AcceptsQueryToken(route)); see decideAccess.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly config: AccessConfig;

  constructor(
    config: ConfigService<LegworkConfig, true>,
    private readonly reflector: Reflector,
  ) {
    this.config = { http: config.get('http', { infer: true }), tradeLog: config.get('tradeLog', { infer: true }), rails: config.get('rails', { infer: true }) };
  }

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const area = this.reflector.getAllAndOverride<AccessArea | undefined>(ACCESS_AREA, targets);
    if (!area) throw new Error(`${context.getClass().name}.${context.getHandler().name} uses the access guard without @Protected(area)`);
    const route = this.reflector.getAllAndOverride<QueryTokenRoute | undefined>(QUERY_TOKEN, targets);
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const decision = decideAccess(area, {
      token: area.token(this.config),
      host: this.config.http.host,
      authorization: req.headers.authorization,
      queryToken: route && typeof req.query?.token === 'string' ? req.query.token : undefined,
      proxied: isProxied(req.headers),
      hostHeader: req.headers.host,
    });
    if (decision.allowed) return true;
    new Logger(area.context).warn(`${area.label}: ${decision.status} for ${req.method} ${req.path} from ${req.ip}`);
    if (decision.status === 401) {
      if (area.realm) {
        // The page may also be opened with basic auth (any user name, the token as password): let browsers ask for it.
        const bearer = `Bearer realm="${area.realm}"`;
        http
          .getResponse<Response>()
          .setHeader('WWW-Authenticate', route === 'page' && area.basicAuth ? [`Basic realm="${area.realm}", charset="UTF-8"`, bearer] : [bearer]);
      }
      throw new UnauthorizedException(decision.message);
    }
    throw new ForbiddenException(decision.message);
  }
}
