import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  StreamableFile,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@guichet/auth';
import { DocumentsService } from './documents.service';
import { ReviewDocumentDto, UploadDocumentDto, UploadDocumentForm } from './dto/document.dto';

@ApiTags('documents')
@ApiBearerAuth()
@Controller('households/:id/documents')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Roles('family', 'agent', 'admin')
  @Post()
  @UseInterceptors(FileInterceptor('file'))
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadDocumentForm })
  @ApiOperation({
    summary: 'Attach a document (PDF, JPEG or PNG by its bytes; 413 past DOCUMENT_MAX_BYTES, 415 otherwise)',
  })
  upload(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: UploadDocumentDto,
    @UploadedFile() file?: { buffer: Buffer },
  ) {
    return this.documents.upload(principal, id, body, file?.buffer);
  }

  @Roles('family', 'agent', 'admin')
  @Get()
  @ApiOperation({ summary: 'The household’s documents, with their status as of today' })
  list(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.documents.list(principal, id);
  }

  @Roles('family', 'agent', 'admin')
  @Get(':documentId')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('documentId') documentId: string,
  ) {
    return this.documents.get(principal, id, documentId);
  }

  @Roles('family', 'agent', 'admin')
  @Get(':documentId/content')
  @ApiProduces('application/pdf', 'image/jpeg', 'image/png')
  @ApiOperation({ summary: 'Download the file' })
  async content(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('documentId') documentId: string,
  ): Promise<StreamableFile> {
    const file = await this.documents.content(principal, id, documentId);
    return new StreamableFile(file.bytes, {
      type: file.contentType,
      disposition: `attachment; filename="${file.fileName}"`,
      length: file.bytes.length,
    });
  }

  @Roles('agent', 'admin')
  @Post(':documentId/review')
  @HttpCode(200)
  @ApiOperation({ summary: 'Agents: accept a pending document, or reject it with a reason for the family' })
  review(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('documentId') documentId: string,
    @Body() body: ReviewDocumentDto,
  ) {
    return this.documents.review(principal, id, documentId, body);
  }
}
