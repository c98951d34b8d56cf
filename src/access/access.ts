import { Logger } from '@nestjs/common';
import basicAuth from 'basic-auth';
import { foreignHostProblem, isLoopbackHost } from '../common/loopback';
import { secretsEqual } from '../common/secrets-equal';
import type { LegworkConfig } from '../config/legwork.config';

/** The part of the configuration access reads: the listen host and the tokens. */
export type AccessConfig = Pick<LegworkConfig, 'http' | 'tradeLog' | 'rails'>;

/**
 * A group of protected endpoints with a token of its own (the trade log's, the rails'; see access-areas.ts). The one
 * access guard applies the same rule to every area; only the token and the wording differ.
 */
export interface AccessArea {
  /** Logger context of the refusals, e.g. 'TradeLog'. */
  context: string;
  /** How refusals are logged, e.g. 'trade log: 401 for GET /trades from …'. */
  label: string;
  /** The environment variable of the token, e.g. 'TRADE_LOG_TOKEN'. */
  tokenVariable: string;
  token(config: AccessConfig): string | undefined;
  /** Also take the token as the password of basic auth (any user name). */
  basicAuth: boolean;
  /** 401 challenges: realm of WWW-Authenticate; none when unset. */
  realm?: string;
  messages: {
    missingToken: string;
    wrongToken: string;
    offBeyondLoopback(host: string): string;
    offWhenProxied: string;
    /** The refusal of a Host header naming another machine, given the problem foreignHostProblem found. */
    foreignHost(problem: string): string;
    /** Logged at start when the area is off (beyond loopback, no token). */
    offAtStart(host: string): string;
  };
}

export interface AccessRequest {
  /** The area's configured token, if any. */
  token: string | undefined;
  /** Configured listen host (HOST). */
  host: string;
  authorization: string | undefined;
  /** ?token=, on routes that accept it only. */
  queryToken: string | undefined;
  /** The request came through a proxy or tunnel (Forwarded / X-Forwarded-For / X-Real-IP). */
  proxied: boolean;
  /** The request's Host header. */
  hostHeader: string | undefined;
}

export type AccessDecision = { allowed: true } | { allowed: false; status: 401 | 403; message: string };

function presentedToken(area: AccessArea, req: Pick<AccessRequest, 'authorization' | 'queryToken'>): string | undefined {
  const header = req.authorization?.trim();
  if (header) {
    const bearer = /^Bearer\s+(.+)$/i.exec(header);
    if (bearer) return bearer[1].trim();
    const basic = area.basicAuth ? basicAuth.parse(header) : undefined;
    if (basic) return basic.pass; // any user name; the token is the password
  }
  return req.queryToken || undefined;
}

/**
 * Who may use an area's endpoints (pure, so every case is unit-tested):
 *   - its token set: a request must present it (Bearer; basic-auth password where the area allows; ?token= on routes
 *     that take it), on any host.
 *   - no token, HOST on loopback: open, except requests relayed by a proxy or tunnel (they come from elsewhere) and
 *     requests whose Host header names another machine (DNS rebinding).
 *   - no token, HOST beyond loopback: closed (403), with a message naming the token's variable.
 */
export function decideAccess(area: AccessArea, req: AccessRequest): AccessDecision {
  if (req.token) {
    const presented = presentedToken(area, req);
    if (presented !== undefined && secretsEqual(req.token, presented)) return { allowed: true };
    return { allowed: false, status: 401, message: presented === undefined ? area.messages.missingToken : area.messages.wrongToken };
  }
  if (!isLoopbackHost(req.host)) return { allowed: false, status: 403, message: area.messages.offBeyondLoopback(req.host) };
  if (req.proxied) return { allowed: false, status: 403, message: area.messages.offWhenProxied };
  const foreign = foreignHostProblem(req.hostHeader, area.tokenVariable);
  if (foreign) return { allowed: false, status: 403, message: area.messages.foreignHost(foreign) };
  return { allowed: true };
}

/** At start, by the module that owns the area: a warning when its endpoints are off (beyond loopback, no token). */
export function warnIfAccessOff(area: AccessArea, config: AccessConfig): void {
  if (area.token(config) || isLoopbackHost(config.http.host)) return;
  new Logger(area.context).warn(area.messages.offAtStart(config.http.host));
}
