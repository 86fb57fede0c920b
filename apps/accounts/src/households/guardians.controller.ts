import { Body, Controller, Delete, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@guichet/auth';
import { GuardianDto, UpdateGuardianDto } from './dto/household.dto';
import { GuardiansService } from './guardians.service';

@ApiTags('households')
@ApiBearerAuth()
@Roles('family', 'agent', 'admin')
@Controller('households/:id/guardians')
export class GuardiansController {
  constructor(private readonly guardians: GuardiansService) {}

  @Post()
  @ApiOperation({ summary: 'Add a legal guardian (responsable légal) with contact details and who pays' })
  add(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: GuardianDto) {
    return this.guardians.add(principal, id, body);
  }

  @Patch(':guardianId')
  @ApiOperation({ summary: 'Change a legal guardian’s details' })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('guardianId') guardianId: string,
    @Body() body: UpdateGuardianDto,
  ) {
    return this.guardians.update(principal, id, guardianId, body);
  }

  @Delete(':guardianId')
  @ApiOperation({ summary: 'Remove a legal guardian' })
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('guardianId') guardianId: string,
  ) {
    return this.guardians.remove(principal, id, guardianId);
  }
}
