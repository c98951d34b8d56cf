import { BadGatewayException, BadRequestException, Controller, ForbiddenException, Get, Header, Query, Redirect, Req } from '@nestjs/common';
import type { Request } from 'express';
import { KiteSessionService, LoginRefusedError } from './kite-session.service';

/**
 * The daily login: GET /kite/login sends the browser to Kite with a signed `state`; Kite sends it back to
 * /kite/login/callback with a request_token and that state (register that URL as the app's redirect URL in the Kite
 * developer console). The callback accepts only a state issued here and only the expected Kite user (403 otherwise).
 */
@Controller('kite/login')
export class KiteLoginController {
  constructor(private readonly sessions: KiteSessionService) {}

  @Get()
  @Redirect()
  login(@Req() req: Request) {
    return { url: this.sessions.loginUrl(`${req.protocol}://${req.get('host')}/kite/login/callback`), statusCode: 302 };
  }

  @Get('callback')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async callback(@Query('request_token') requestToken?: string, @Query('status') status?: string, @Query('state') state?: string): Promise<string> {
    if (status && status !== 'success') throw new BadRequestException(`Kite login did not succeed (status=${status})`);
    if (!requestToken) throw new BadRequestException('request_token is missing');
    try {
      const { userId, expiresAt } = await this.sessions.completeLogin(requestToken, state);
      return `<!doctype html><title>legwork: logged in</title><p>Logged in to Kite as <b>${escapeHtml(userId)}</b>. The access token is valid until ${expiresAt.toISOString()} (06:00 IST). You can close this page.</p>`;
    } catch (error) {
      if (error instanceof LoginRefusedError) throw new ForbiddenException(error.message);
      throw new BadGatewayException(error instanceof Error ? error.message : 'login failed');
    }
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
