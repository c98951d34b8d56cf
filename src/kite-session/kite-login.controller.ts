import { BadGatewayException, BadRequestException, Controller, Get, Header, Query, Redirect, Req } from '@nestjs/common';
import type { Request } from 'express';
import { KiteSessionService } from './kite-session.service';

/**
 * The daily login: GET /kite/login sends the browser to Kite; Kite sends it back to /kite/login/callback with a
 * request_token (register that URL as the app's redirect URL in the Kite developer console).
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
  async callback(@Query('request_token') requestToken?: string, @Query('status') status?: string): Promise<string> {
    if (status && status !== 'success') throw new BadRequestException(`Kite login did not succeed (status=${status})`);
    if (!requestToken) throw new BadRequestException('request_token is missing');
    try {
      const { userId, expiresAt } = await this.sessions.completeLogin(requestToken);
      return `<!doctype html><title>legwork: logged in</title><p>Logged in to Kite as <b>${escapeHtml(userId)}</b>. The access token is valid until ${expiresAt.toISOString()} (06:00 IST). You can close this page.</p>`;
    } catch (error) {
      throw new BadGatewayException(error instanceof Error ? error.message : 'login failed');
    }
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
