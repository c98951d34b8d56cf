import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Post, Query, ValidationPipe } from '@nestjs/common';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { RAILS_ACCESS } from '../access/access-areas';
import { Protected } from '../access/access.guard';
import { ExternalOrdersTracker } from './external-orders.tracker';
import { KillSwitchService } from './kill-switch.service';
import { LegworkRails } from './legwork-rails';

export class TripKillSwitchDto {
  @IsString()
  @MaxLength(500)
  reason: string;

  /** Also cancel every open order legwork placed. */
  @IsOptional()
  @IsBoolean()
  cancelOpen?: boolean;
}

/**
 * The rails over HTTP: usage of Kite's limits, and the kill switch. Same access rule as the trade log
 * (TRADE_LOG_TOKEN; required beyond loopback).
 */
@Controller('rails')
@Protected(RAILS_ACCESS)
export class RailsController {
  constructor(
    private readonly killSwitch: KillSwitchService,
    private readonly rails: LegworkRails,
    private readonly externals: ExternalOrdersTracker,
  ) {}

  /** The kill switch and the current usage of Kite's order limits (also as Prometheus gauges at /metrics). */
  @Get()
  async usage() {
    return { killSwitch: await this.killSwitch.status(), orders: await this.rails.usage() };
  }

  /** Orders legwork did not place and no strategy claims, first seen on a day (IST, default today). */
  @Get('external-orders')
  async externalOrders(@Query('date') date?: string) {
    if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new BadRequestException('date must be yyyy-mm-dd');
    return { orders: await this.externals.list(date) };
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
