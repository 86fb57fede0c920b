import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@guichet/auth';
import { ProblemException } from '@guichet/platform';
import { mayManage } from './access';
import { EnrolmentRepository } from './enrolment.repository';
import { CreateEnrolmentDto, EnrolmentQueryDto, RejectDto } from './procedure.dto';
import { ProcedureService } from './procedure.service';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

@ApiTags('enrolments')
@ApiBearerAuth()
@Controller('enrolments')
export class ProcedureController {
  constructor(
    private readonly procedure: ProcedureService,
    private readonly enrolments: EnrolmentRepository,
  ) {}

  @Roles('family')
  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A repeated request returns the first answer and creates nothing',
  })
  @ApiOperation({ summary: 'Enrol a child in an offer (submitted at once, or a draft)' })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateEnrolmentDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, {
        detail: 'Idempotency-Key must be 8 to 128 letters, digits or ._:-',
        errors: [{ field: 'Idempotency-Key', message: 'must be 8 to 128 letters, digits or ._:-' }],
      });
    }
    return this.procedure.create(principal, body, idempotencyKey);
  }

  @Roles('family', 'agent', 'admin')
  @Get()
  @ApiOperation({ summary: 'A family: its own enrolments. Agents: those of their scope, filtered' })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: EnrolmentQueryDto) {
    if (principal.role === 'family') {
      return this.procedure.views(await this.enrolments.ofHousehold(principal.householdId ?? ''));
    }
    const filter = {
      ...(query.offerId ? { offerId: query.offerId } : {}),
      ...(query.siteId ? { siteId: query.siteId } : {}),
      ...(query.status ? { status: query.status as never } : {}),
      ...(query.householdId ? { householdId: query.householdId } : {}),
    };
    const found = await this.enrolments.search(filter, query.limit ?? 100, query.offset ?? 0);
    return this.procedure.views(found.filter((e) => mayManage(principal, e)));
  }

  @Roles('family', 'agent', 'admin')
  @Get(':id')
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.procedure.view(await this.procedure.visible(principal, id));
  }

  @Roles('family')
  @Post(':id/submit')
  @HttpCode(200)
  @ApiOperation({ summary: 'Submit a draft' })
  submit(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.procedure.submit(principal, id);
  }

  @Roles('family')
  @Post(':id/confirm-birth')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Crèche pre-registration: confirm the birth (once the family file has the birth date)',
  })
  confirmBirth(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.procedure.confirmBirth(principal, id);
  }

  @Roles('family')
  @Post(':id/accept-place')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take the place offered from the waitlist, before its deadline' })
  acceptPlace(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.procedure.acceptPlace(principal, id);
  }

  @Roles('family', 'agent', 'admin')
  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel (or decline an offered place); a place held goes to the waitlist' })
  cancel(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.procedure.cancel(principal, id);
  }

  @Roles('agent', 'admin')
  @Post(':id/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Agents: accept a complete application if a place is free' })
  accept(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.procedure.accept(principal, id);
  }

  @Roles('agent', 'admin')
  @Post(':id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Agents: reject, with the reason the family will read' })
  reject(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: RejectDto) {
    return this.procedure.reject(principal, id, body.reasonCode, body.reason);
  }

  @Roles('agent', 'admin')
  @Post(':id/waitlist')
  @HttpCode(200)
  @ApiOperation({ summary: 'Agents: put a submitted application on the waitlist' })
  waitlist(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.procedure.putOnWaitlist(principal, id);
  }
}
