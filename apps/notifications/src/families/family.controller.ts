import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@guichet/auth';
import { ProblemException } from '@guichet/platform';
import { DeliveryRepository } from '../deliveries/delivery.repository';
import { PreferencesDto } from './dto/preferences.dto';
import { assertHouseholdVisible } from './household-access';
import { HouseholdRepository } from './household.repository';
import { ApiIdParam, IdParamPipe } from './id-param.pipe';
import { InboxRepository } from './inbox.repository';

const LIST_LIMIT = 200;

/** A family's inbox, channel preferences and the delivery status of its messages. */
@ApiTags('families')
@ApiBearerAuth()
@ApiIdParam('id', 'The household (400 when no household can have this id)')
@Controller('households/:id')
export class FamilyController {
  constructor(
    private readonly inbox: InboxRepository,
    private readonly households: HouseholdRepository,
    private readonly deliveries: DeliveryRepository,
  ) {}

  @Get('inbox')
  @Roles('family', 'admin')
  @ApiOperation({ summary: 'The household’s inbox, newest first, with the number of unread messages' })
  async listInbox(@CurrentPrincipal() principal: Principal, @Param('id', IdParamPipe) id: string) {
    assertHouseholdVisible(principal, id);
    const [messages, unread] = await Promise.all([
      this.inbox.list(id, LIST_LIMIT),
      this.inbox.unreadCount(id),
    ]);
    return { unread, messages };
  }

  @Get('inbox/unread-count')
  @Roles('family', 'admin')
  @ApiOperation({ summary: 'How many inbox messages are unread' })
  async unreadCount(@CurrentPrincipal() principal: Principal, @Param('id', IdParamPipe) id: string) {
    assertHouseholdVisible(principal, id);
    return { unread: await this.inbox.unreadCount(id) };
  }

  @Post('inbox/:messageId/read')
  @Roles('family')
  @HttpCode(204)
  @ApiOperation({ summary: 'Mark an inbox message as read' })
  @ApiIdParam('messageId', 'The message, as the inbox lists it')
  async markRead(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdParamPipe) id: string,
    @Param('messageId', IdParamPipe) messageId: string,
  ): Promise<void> {
    assertHouseholdVisible(principal, id);
    if (!(await this.inbox.markRead(id, messageId))) {
      throw new ProblemException(HttpStatus.NOT_FOUND, { detail: 'Message introuvable.' });
    }
  }

  @Get('preferences')
  @Roles('family', 'admin')
  @ApiOperation({
    summary: 'The channels chosen per category of message (empty: the account consents apply)',
  })
  async preferences(@CurrentPrincipal() principal: Principal, @Param('id', IdParamPipe) id: string) {
    assertHouseholdVisible(principal, id);
    const found = await this.households.preferencesOf(id);
    return { channels: found?.channels ?? {} };
  }

  @Put('preferences')
  @Roles('family', 'admin')
  @ApiOperation({
    summary: 'Choose the channels per category (the inbox always receives; required messages ignore this)',
  })
  async savePreferences(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdParamPipe) id: string,
    @Body() body: PreferencesDto,
  ) {
    assertHouseholdVisible(principal, id);
    const channels = Object.fromEntries(
      Object.entries(body.channels).filter(([, value]) => value !== undefined),
    );
    return { channels: (await this.households.savePreferences(id, channels)).channels };
  }

  @Get('deliveries')
  @Roles('family', 'agent', 'admin')
  @ApiOperation({
    summary: 'Delivery status of the household’s messages: queued, sent, failed (with the reason)',
  })
  async deliveriesOf(@CurrentPrincipal() principal: Principal, @Param('id', IdParamPipe) id: string) {
    assertHouseholdVisible(principal, id);
    return { deliveries: await this.deliveries.list({ householdId: id }, LIST_LIMIT) };
  }
}
