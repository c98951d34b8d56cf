import { Body, Controller, Delete, Get, HttpCode, Inject, Post, UseGuards, ValidationPipe } from '@nestjs/common';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { ConfigService } from '@nestjs/config';
import { ORDER_RAILS } from '../broker/order-rails';
import type { LegworkConfig } from '../config/legwork.config';
import { istToday } from '../trade-log/trade-log.service';
import { TradeLogAuthGuard } from '../trade-log/trade-log-auth.guard';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { OrderAction } from './entities/order-action.entity';
import { KillSwitchService } from './kill-switch.service';
import { LegworkRails } from './legwork-rails';

export class TripKillSwitchDto {
  @IsString() @MaxLength(500)
  reason: string;

  /** Also cancel every open order legwork placed. */
  @IsOptional() @IsBoolean()
  cancelOpen?: boolean;
}

/**
 * The rails over HTTP: usage of Kite's limits, and the kill switch. Same access rule as the trade log
 * (TRADE_LOG_TOKEN; required beyond loopback).
 */
@Controller('rails')
@UseGuards(TradeLogAuthGuard)
export class RailsController {
  constructor(
    private readonly killSwitch: KillSwitchService,
    @Inject(ORDER_RAILS) private readonly rails: LegworkRails,
    @InjectRepository(OrderAction) private readonly actions: Repository<OrderAction>,
    private readonly config: ConfigService<LegworkConfig, true>,
  ) {}

  @Get()
  async usage() {
    const { ordersPerDay } = this.config.get('rails', { infer: true });
    return {
      killSwitch: await this.killSwitch.status(),
      orders: {
        ...(await this.rails.pacer.usage()),
        today: { placed: await this.actions.countBy({ tradingDay: istToday(), action: 'place' }), limit: ordersPerDay },
      },
    };
  }

  @Post('kill-switch')
  @HttpCode(200)
  trip(@Body(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true })) body: TripKillSwitchDto) {
    return this.killSwitch.trip(body.reason, 'http', { cancelOpen: body.cancelOpen });
  }

  @Delete('kill-switch')
  rearm() {
    return this.killSwitch.rearm('http');
  }
}
