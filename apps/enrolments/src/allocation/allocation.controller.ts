import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { CurrentPrincipal, Principal, Roles } from '@guichet/auth';
import { AllocationService } from './allocation.service';

export class RunAllocationDto {
  @ApiProperty({
    example: 'commission-2026-06-02',
    description: 'The published seed of the draw: same seed, same result',
  })
  @IsString()
  @Length(1, 128)
  seed!: string;
}

@ApiTags('allocations')
@ApiBearerAuth()
@Roles('agent', 'admin')
@Controller()
export class AllocationController {
  constructor(private readonly allocations: AllocationService) {}

  @Post('offers/:offerId/allocations')
  @ApiOperation({ summary: 'Compute the allocation of a closed window (a draft: nothing is applied yet)' })
  run(
    @CurrentPrincipal() principal: Principal,
    @Param('offerId') offerId: string,
    @Body() body: RunAllocationDto,
  ) {
    return this.allocations.run(principal, offerId, body.seed);
  }

  @Get('allocations/:id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.allocations.get(principal, id);
  }

  @Post('allocations/:id/publish')
  @HttpCode(200)
  @ApiOperation({ summary: 'Apply and publish: places in rank order, the others waitlisted in rank order' })
  publish(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.allocations.publish(principal, id);
  }
}
