import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@guichet/auth';
import { DeliveryRepository } from './delivery.repository';
import { DeliveryQueryDto } from './dto/delivery-query.dto';

/** Every delivery, for agents: above all the failed ones, with their reason. */
@ApiTags('deliveries')
@ApiBearerAuth()
@Controller('deliveries')
export class DeliveryController {
  constructor(private readonly deliveries: DeliveryRepository) {}

  @Get()
  @Roles('agent', 'admin')
  @ApiOperation({ summary: 'Deliveries, newest first (query: status=failed, channel, householdId, limit)' })
  async list(@Query() query: DeliveryQueryDto) {
    const { limit = 100, ...filter } = query;
    const defined = Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
    return { deliveries: await this.deliveries.list(defined, limit) };
  }
}
