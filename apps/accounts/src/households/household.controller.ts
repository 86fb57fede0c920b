import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@guichet/auth';
import { Public } from '@guichet/platform';
import {
  AddChildDto,
  DeclareQfDto,
  RegisterFamilyDto,
  UpdateChildDto,
  UpdateHouseholdDto,
} from './dto/household.dto';
import { HouseholdService } from './household.service';

@ApiTags('households')
@Controller()
export class HouseholdController {
  constructor(private readonly households: HouseholdService) {}

  @Public()
  @Post('families')
  @ApiOperation({
    summary: 'Create a family account and its household (then log in); a verification link is mailed',
  })
  register(@Body() body: RegisterFamilyDto) {
    return this.households.register(body);
  }

  @ApiBearerAuth()
  @Roles('family', 'agent', 'admin')
  @Get('households/:id')
  @ApiOperation({ summary: 'The family file (a family: its own only)' })
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.households.get(principal, id);
  }

  @ApiBearerAuth()
  @Roles('family', 'agent', 'admin')
  @Patch('households/:id')
  @ApiOperation({ summary: 'Change residency, the contact notices go to, consents, the CAF/MSA number' })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: UpdateHouseholdDto,
  ) {
    return this.households.update(principal, id, body);
  }

  @ApiBearerAuth()
  @Roles('family', 'agent', 'admin')
  @Post('households/:id/children')
  addChild(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: AddChildDto) {
    return this.households.addChild(principal, id, body);
  }

  @ApiBearerAuth()
  @Roles('family', 'agent', 'admin')
  @Patch('households/:id/children/:childId')
  @ApiOperation({ summary: 'Change a child’s facts (birth date, PAI, AEEH, school and class)' })
  updateChild(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('childId') childId: string,
    @Body() body: UpdateChildDto,
  ) {
    return this.households.updateChild(principal, id, childId, body);
  }

  @ApiBearerAuth()
  @Roles('family', 'admin')
  @Get('households/:id/export')
  @ApiOperation({ summary: 'GDPR: the whole family file as JSON' })
  export(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.households.export(principal, id);
  }

  @ApiBearerAuth()
  @Roles('family', 'admin')
  @Post('households/:id/erasure')
  @HttpCode(204)
  @ApiOperation({ summary: 'GDPR: erase the family file and the account; every service is told' })
  async erase(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.households.erase(principal, id);
  }

  @ApiBearerAuth()
  @Roles('family', 'agent', 'admin')
  @Post('households/:id/qf-records')
  @ApiOperation({ summary: 'Record a quotient familial (dated; earlier records are kept)' })
  declareQf(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: DeclareQfDto) {
    return this.households.declareQf(principal, id, body);
  }
}
