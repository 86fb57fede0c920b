import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseIntPipe,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ProblemException } from '@guichet/platform';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@guichet/auth';
import { CoherenceReport, Quote, TariffGrid, validateGrid } from '@guichet/tariff-engine';
import { PublishRequestDto, QuoteRequestDto } from './dto/quote-request.dto';
import { GridService, todayInParis } from './grid.service';

const GRID_BODY = {
  description:
    'A grid in the open format guichet.tariff-grid/v1 (JSON Schema: libs/tariff-engine/schema/tariff-grid.v1.schema.json)',
  schema: { type: 'object' },
};

/** Tariff grids for finance staff; reading and quoting for every authenticated user. */
@ApiTags('grids')
@ApiBearerAuth()
@Controller()
export class GridController {
  constructor(private readonly grids: GridService) {}

  @Get('grids')
  @ApiOperation({ summary: 'List the grids and their versions' })
  list() {
    return this.grids.list();
  }

  @Get('grids/:id')
  @ApiOperation({ summary: 'Export a grid (the open format) with its history' })
  async get(@Param('id') id: string) {
    const { grid, history, revision } = await this.grids.get(id);
    return { grid, history, revision };
  }

  @Get('coherence/across-services')
  @Roles('finance', 'admin')
  @ApiOperation({
    summary: 'Tranche boundaries that differ between the grids in force (query: date=YYYY-MM-DD)',
  })
  @ApiQuery({ name: 'date', required: false, description: 'YYYY-MM-DD; today in Paris when absent' })
  acrossServices(@Query('date') date?: string) {
    if (date !== undefined && !isCalendarDate(date)) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, {
        errors: [{ field: 'date', message: 'date must read YYYY-MM-DD' }],
      });
    }
    return this.grids.coherenceAcrossServices(date ?? todayInParis());
  }

  @Post('grids/validate')
  @Roles('finance', 'admin')
  @HttpCode(200)
  @ApiBody(GRID_BODY)
  @ApiOperation({ summary: 'Check a grid without storing it: the problems, field by field' })
  validate(@Body() body: unknown) {
    const problems = validateGrid(body);
    return { valid: problems.length === 0, problems };
  }

  @Post('grids')
  @Roles('finance', 'admin')
  @ApiBody(GRID_BODY)
  @ApiOperation({ summary: 'Import a grid (refused with the wrong fields named when invalid)' })
  create(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<TariffGrid> {
    return this.grids.create(body, principal);
  }

  @Put('grids/:id/versions/:version')
  @Roles('finance', 'admin')
  @ApiBody({ description: 'A version of the grid; it is saved as a draft', schema: { type: 'object' } })
  @ApiOperation({ summary: 'Save a draft version (a published version never changes)' })
  saveDraft(
    @Param('id') id: string,
    @Param('version', ParseIntPipe) version: number,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<TariffGrid> {
    return this.grids.saveDraft(id, version, body, principal);
  }

  @Post('grids/:id/versions/:version/publish')
  @Roles('finance', 'admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Publish a draft from its effective date; announces TariffGridPublished' })
  publish(
    @Param('id') id: string,
    @Param('version', ParseIntPipe) version: number,
    @Body() body: PublishRequestDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<TariffGrid> {
    return this.grids.publish(id, version, body.reason, principal);
  }

  @Get('grids/:id/versions/:version/coherence')
  @Roles('finance', 'admin')
  @ApiOperation({ summary: 'Coherence findings: gaps, overlaps, falling prices, threshold effects, cost' })
  coherence(
    @Param('id') id: string,
    @Param('version', ParseIntPipe) version: number,
  ): Promise<CoherenceReport> {
    return this.grids.coherence(id, version);
  }

  @Post('quotes')
  @HttpCode(200)
  @ApiOperation({ summary: 'Price preview for a household, with the explanation, without enrolling' })
  quote(@Body() body: QuoteRequestDto): Promise<Quote> {
    return this.grids.quote(body.gridId, body.date ?? todayInParis(), body.household);
  }
}

/** YYYY-MM-DD naming a day that exists: Date.parse rolls 30 February over into March. */
function isCalendarDate(text: string): boolean {
  const time = Date.parse(`${text}T00:00:00Z`);
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(time) && new Date(time).toISOString().startsWith(text)
  );
}
