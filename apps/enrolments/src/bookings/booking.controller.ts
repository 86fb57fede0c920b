import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import { CurrentPrincipal, Principal, Roles } from '@guichet/auth';
import { BookingService } from './booking.service';

const Day = () => IsISO8601({ strict: true }, { each: true, message: 'each day must read YYYY-MM-DD' });

export class BookingPatternDto {
  @ApiProperty({ example: [1, 2, 4, 5], description: 'ISO weekdays to book (1 = Monday)' })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(7)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(7, { each: true })
  weekdays!: number[];
}

export class BookingChangesDto {
  @ApiPropertyOptional({ example: ['2026-11-05'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(400)
  @Day()
  book?: string[];
  @ApiPropertyOptional({ example: ['2026-11-09'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(400)
  @Day()
  cancel?: string[];
}

export class AttendanceQueryDto {
  @ApiProperty({ example: '2026-11-05' }) @IsISO8601({ strict: true }) date!: string;
}

@ApiTags('bookings')
@ApiBearerAuth()
@Controller()
export class BookingController {
  constructor(private readonly bookings: BookingService) {}

  @Roles('family', 'agent', 'admin')
  @Get('enrolments/:id/bookings')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.bookings.get(principal, id);
  }

  @Roles('family', 'agent', 'admin')
  @Put('enrolments/:id/bookings/pattern')
  @ApiOperation({ summary: 'Book these weekdays on every day still open to booking (Nîmes: 4 days ahead)' })
  setPattern(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: BookingPatternDto,
  ) {
    return this.bookings.setPattern(principal, id, body.weekdays);
  }

  @Roles('family', 'agent', 'admin')
  @Post('enrolments/:id/bookings/changes')
  @ApiOperation({
    summary: 'Book or cancel days; a cancellation in time is a credit, a late change is refused',
  })
  change(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: BookingChangesDto) {
    return this.bookings.change(principal, id, body);
  }

  @Roles('agent', 'admin')
  @Get('sites/:siteId/attendance')
  @ApiOperation({
    summary: 'Children booked at a site on a day (for the kitchen and the centres), with PAI counts',
  })
  attendance(
    @CurrentPrincipal() principal: Principal,
    @Param('siteId') siteId: string,
    @Query() query: AttendanceQueryDto,
  ) {
    return this.bookings.attendance(principal, siteId, query.date);
  }
}
