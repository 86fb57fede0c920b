import { Body, Controller, Get, Headers, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@guichet/auth';
import { CatalogueService } from './catalogue.service';
import { CreateOfferDto, CreatePeriodDto, CreateSiteDto, UpdateCapacityDto } from './catalogue.dto';
import { OfferQueryDto, OffersForChildQueryDto } from './catalogue.query';

@ApiTags('catalogue')
@ApiBearerAuth()
@Controller()
export class CatalogueController {
  constructor(private readonly catalogue: CatalogueService) {}

  @Roles('admin')
  @Post('sites')
  @ApiOperation({ summary: 'Create a site (crèche, school, centre de loisirs)' })
  createSite(@Body() body: CreateSiteDto) {
    return this.catalogue.createSite(body);
  }

  @Roles('family', 'agent', 'finance', 'admin')
  @Get('sites')
  listSites() {
    return this.catalogue.listSites();
  }

  @Roles('admin')
  @Post('periods')
  @ApiOperation({ summary: 'Create a period (school year, Wednesdays of a term, holiday weeks)' })
  createPeriod(@Body() body: CreatePeriodDto) {
    return this.catalogue.createPeriod(body);
  }

  @Roles('family', 'agent', 'finance', 'admin')
  @Get('periods')
  listPeriods() {
    return this.catalogue.listPeriods();
  }

  @Roles('agent', 'admin')
  @Post('offers')
  @ApiOperation({
    summary: 'Create an offer: service × site × period, capacity, rules, tariff grid (agents: in scope)',
  })
  createOffer(@CurrentPrincipal() principal: Principal, @Body() body: CreateOfferDto) {
    return this.catalogue.createOffer(principal, body);
  }

  @Roles('agent', 'finance', 'admin')
  @Get('offers')
  @ApiOperation({ summary: 'Every offer, with its free places' })
  listOffers(@Query() query: OfferQueryDto) {
    return this.catalogue.listOffers(query);
  }

  @Roles('family')
  @Get('offers/for-child')
  @ApiOperation({
    summary: 'The offers a child may apply to, with eligibility, missing documents and a price preview',
  })
  @ApiQuery({ name: 'childId' })
  offersForChild(
    @CurrentPrincipal() principal: Principal,
    @Query() query: OffersForChildQueryDto,
    @Headers('authorization') authorization: string,
  ) {
    return this.catalogue.offersForChild(principal, query.childId, authorization);
  }

  @Roles('family', 'agent', 'finance', 'admin')
  @Get('offers/:id')
  getOffer(@Param('id') id: string) {
    return this.catalogue.getOffer(id);
  }

  @Roles('agent', 'admin')
  @Patch('offers/:id/capacity')
  @ApiOperation({
    summary: 'Change the capacity (never below the places taken); new places go to the waitlist',
  })
  changeCapacity(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: UpdateCapacityDto,
  ) {
    return this.catalogue.changeCapacity(principal, id, body.capacity);
  }
}
