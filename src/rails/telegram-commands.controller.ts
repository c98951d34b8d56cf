import { Body, Controller, ForbiddenException, Headers, HttpCode, Logger, NotFoundException, Post } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { secretsEqual } from '../common/secrets-equal';
import type { LegworkConfig } from '../config/legwork.config';
import { Notifier } from '../notifier/notifier.service';
import { KillSwitchService } from './kill-switch.service';

interface TelegramUpdate {
  message?: { chat?: { id?: number | string }; text?: string; from?: { username?: string } };
}

/**
 * The kill switch from the alert channel: Telegram calls this webhook with messages sent to the bot. Only the
 * configured alert chat is obeyed, and only with Telegram's secret_token header (NOTIFY_TELEGRAM_WEBHOOK_SECRET).
 *   /kill <reason>    stop every strategy placing orders
 *   /kill! <reason>   the same, and cancel every open order legwork placed
 *   /rearm            allow orders again
 *   /status           reply with the switch's state
 */
@Controller('rails/telegram')
export class TelegramCommandsController {
  private readonly logger = new Logger('TelegramCommands');

  constructor(
    private readonly killSwitch: KillSwitchService,
    private readonly notifier: Notifier,
    private readonly config: ConfigService<LegworkConfig, true>,
  ) {}

  @Post()
  @HttpCode(200)
  async receive(@Headers('x-telegram-bot-api-secret-token') secret: string | undefined, @Body() update: TelegramUpdate): Promise<{ ok: true }> {
    const telegram = this.config.get('notify', { infer: true }).telegram;
    if (!telegram?.webhookSecret) throw new NotFoundException('Telegram commands are off (set NOTIFY_TELEGRAM_WEBHOOK_SECRET)');
    if (!secret || !secretsEqual(telegram.webhookSecret, secret)) {
      this.logger.warn('Telegram webhook call without the right secret token refused');
      throw new ForbiddenException('wrong or missing X-Telegram-Bot-Api-Secret-Token');
    }
    const chat = String(update.message?.chat?.id ?? '');
    const text = (update.message?.text ?? '').trim();
    if (chat !== telegram.chatId) {
      if (text) this.logger.warn(`Telegram command from chat ${chat || '(none)'} ignored: only the alert chat is obeyed`);
      return { ok: true }; // 200 anyway, or Telegram keeps retrying
    }
    const by = `telegram:${update.message?.from?.username ?? chat}`;
    const [command, ...rest] = text.split(/\s+/);
    const reason = rest.join(' ') || 'tripped from Telegram';
    switch (command.replace(/@.*$/, '')) {
      case '/kill':
        await this.killSwitch.trip(reason, by);
        break;
      case '/kill!':
        await this.killSwitch.trip(reason, by, { cancelOpen: true });
        break;
      case '/rearm':
        await this.killSwitch.rearm(by);
        break;
      case '/status': {
        const state = await this.killSwitch.status();
        this.notifier.notify({
          title: `Kill switch ${state.tripped ? 'TRIPPED' : 'armed'}`,
          text: state.reason ?? 'strategies may place orders',
          severity: 'info',
        });
        break;
      }
      default:
        break;
    }
    return { ok: true };
  }
}
