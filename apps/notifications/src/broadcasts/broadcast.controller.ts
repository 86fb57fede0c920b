import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiExtraModels,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@guichet/auth';
import { BroadcastService } from './broadcast.service';
import { BroadcastDto, DayBroadcastBody, OfferBroadcastBody, SiteBroadcastBody } from './dto/broadcast.dto';

/** The body's shape for each scope, as the OpenAPI document names it. */
const BODY_BY_SCOPE = {
  offer: getSchemaPath(OfferBroadcastBody),
  site: getSchemaPath(SiteBroadcastBody),
  day: getSchemaPath(DayBroadcastBody),
};

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
  @ApiExtraModels(OfferBroadcastBody, SiteBroadcastBody, DayBroadcastBody)
  @ApiBody({
    schema: {
      oneOf: Object.values(BODY_BY_SCOPE).map((ref) => ({ $ref: ref })),
      discriminator: { propertyName: 'scope', mapping: BODY_BY_SCOPE },
    },
  })
  @ApiAcceptedResponse({ description: 'Recorded, one job per family: `{ broadcastId, families }`' })
  @ApiUnprocessableEntityResponse({ description: 'No family matches the target: nothing was sent' })
  broadcast(@CurrentPrincipal() principal: Principal, @Body() body: BroadcastDto) {
    return this.broadcasts.broadcast(principal, body);
  }
}
