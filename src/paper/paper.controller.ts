import { BadGatewayException, BadRequestException, Body, Controller, Get, HttpCode, Inject, Post, ValidationPipe } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { classifyKiteError } from '../broker/kite-error';
import type { LegworkConfig } from '../config/legwork.config';
import { KITE_CLIENT, KiteClient } from '../kite-session/kite-client.provider';
import { RunningStrategies } from '../broker/running-strategies';
import { PaperOrderDto } from './paper-order.dto';

/**
 * Paper mode only (not registered in live mode): what the demo needs to drive the engine — where the simulator is,
 * which strategies run, and a way to place an entry order in the paper account through the engine's Kite client.
 */
@Controller('paper')
export class PaperController {
  constructor(
    @Inject(KITE_CLIENT) private readonly kite: KiteClient,
    private readonly strategies: RunningStrategies,
    private readonly config: ConfigService<LegworkConfig, true>,
  ) {}

  @Get()
  info() {
    return {
      mode: 'paper',
      simulatorUrl: this.config.get('kite', { infer: true }).rootUrl,
      strategies: this.strategies.all.map((s) => ({ name: s.name, description: s.description ?? null })),
    };
  }

  @Post('orders')
  @HttpCode(201)
  async place(@Body(new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true })) order: PaperOrderDto) {
    if (order.order_type === 'LIMIT' && !(order.price && order.price > 0)) throw new BadRequestException('a LIMIT order needs a price');
    const params = { ...order, ...(order.order_type === 'MARKET' ? { price: 0, market_protection: -1 } : {}), validity: 'DAY' };
    try {
      const answer = await this.kite.placeOrder('regular', params as Parameters<KiteClient['placeOrder']>[1]);
      return { order_id: String(answer.order_id) };
    } catch (error) {
      const info = classifyKiteError(error);
      if (info.kind === 'refused') throw new BadRequestException(`${info.errorType}: ${info.message}`);
      throw new BadGatewayException(`the paper broker did not answer clearly: ${info.message}`);
    }
  }
}
