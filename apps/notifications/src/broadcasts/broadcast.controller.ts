import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@guichet/auth';
import { BroadcastService } from './broadcast.service';
import { BroadcastDto } from './dto/broadcast.dto';

@ApiTags('broadcasts')
@ApiBearerAuth()
@Controller('broadcasts')
export class BroadcastController {
  constructor(private readonly broadcasts: BroadcastService) {}

  @Post()
  @Roles('agent', 'admin')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a notice to the families of an offer, a site or a day (one job per family); 422 when none',
  })
  broadcast(@CurrentPrincipal() principal: Principal, @Body() body: BroadcastDto) {
    return this.broadcasts.broadcast(principal, body);
  }
}
