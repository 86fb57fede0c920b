import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@guichet/auth';
import { FetchCafPsuDto, FetchCafQfDto, MunicipalQfDto, PsuInputsDto } from './dto/qf.dto';
import { QfService } from './qf.service';

@ApiTags('households')
@ApiBearerAuth()
@Roles('family', 'agent', 'admin')
@Controller('households/:id')
export class QfController {
  constructor(private readonly qf: QfService) {}

  @Post('qf-records/caf')
  @ApiOperation({
    summary:
      'Fetch the QF from the CAF or MSA (API Particulier) into a new record; needs consents.cafDataSharing (409), 422 when no file matches',
  })
  fetchFromCaf(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: FetchCafQfDto,
  ) {
    return this.qf.fetchFromCaf(principal, id, body);
  }

  @Post('qf-records/municipal')
  @ApiOperation({
    summary:
      'Compute the municipal QF (RFR ÷ 12 ÷ parts) for a household without a CAF or MSA QF (409 otherwise)',
  })
  computeMunicipal(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: MunicipalQfDto,
  ) {
    return this.qf.computeMunicipal(principal, id, body);
  }

  @Post('psu-inputs')
  @ApiOperation({
    summary: 'Record the PSU inputs of crèches (annual resources, dependent and AEEH children), dated',
  })
  recordPsuInputs(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: PsuInputsDto,
  ) {
    return this.qf.recordPsuInputs(principal, id, body);
  }

  @Post('psu-inputs/caf')
  @ApiOperation({
    summary:
      'Fetch the PSU inputs from the CNAF (participation familiale EAJE); needs consents.cafDataSharing',
  })
  fetchPsuFromCaf(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: FetchCafPsuDto,
  ) {
    return this.qf.fetchPsuFromCaf(principal, id, body);
  }
}
