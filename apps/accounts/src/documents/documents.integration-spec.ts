import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DocumentStatusChanged, DocumentStatusChangedV1, Topics } from '@guichet/contracts';
import { expectEventually, KafkaProbe } from '@guichet/testing';
import {
  adminCredentials,
  Call,
  contractData,
  recordsOf,
  registerFamily,
  staffToken,
  startAccounts,
  TestFamily,
} from '../test-support/accounts-harness';
import { RetentionPurge } from '../retention/retention';
import { DocumentStorage } from './document-storage';
import { DocumentsRepository } from './documents.repository';
import { DocumentsService } from './documents.service';

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), Buffer.alloc(600, 0x20)]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const MAX_BYTES = 4096;

describe('documents of the family file: upload, checks, review, expiry (real stack, local directory)', () => {
  let accounts: INestApplication;
  let base: string;
  let call: Call;
  let events: KafkaProbe;
  let directory: string;
  let family: TestFamily;
  let other: TestFamily;
  let agentToken: string;

  const upload = async (
    token: string,
    householdId: string,
    fields: Record<string, string>,
    file?: Buffer,
  ) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    if (file) form.append('file', new Blob([new Uint8Array(file)]), 'scan.pdf');
    const response = await fetch(`${base}/households/${householdId}/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      body: text ? JSON.parse(text) : undefined,
    };
  };
  const storedFiles = async (householdId: string) =>
    (await readdir(join(directory, householdId)).catch(() => [])).filter(
      (name) => !name.endsWith('.partial'),
    );
  const statusEvents = (householdId: string, documentId: string): DocumentStatusChangedV1[] =>
    recordsOf(events.records, householdId, DocumentStatusChanged)
      .map((r) => contractData(DocumentStatusChanged, r))
      .filter((e) => e.documentId === documentId);
  const eventually = (householdId: string, documentId: string, count: number) =>
    expectEventually(() => {
      const found = statusEvents(householdId, documentId);
      expect(found).toHaveLength(count);
      return found[count - 1];
    });

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'guichet-documents-'));
    const admin = adminCredentials();
    ({
      app: accounts,
      base,
      call,
    } = await startAccounts('accounts-documents', {
      DOCUMENTS_DIR: directory,
      DOCUMENT_MAX_BYTES: String(MAX_BYTES),
      ...admin.env,
    }));
    events = await new KafkaProbe().watch(Topics.documents);
    family = await registerFamily(call, 'docs');
    other = await registerFamily(call, 'stranger');
    agentToken = await staffToken(call, admin, 'agent', ['service:creche']);
  });

  afterAll(async () => {
    await events.stop();
    await accounts.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('stores a PDF outside the database, announces it pending and gives it back to its family only', async () => {
    const uploaded = await upload(
      family.token,
      family.householdId,
      { documentType: 'proof-of-address', validFrom: '2026-09-01', validUntil: '2099-08-31' },
      PDF,
    );
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({
      documentType: 'proof-of-address',
      status: 'pending',
      contentType: 'application/pdf',
      size: PDF.length,
    });
    expect(uploaded.body.storageKey).toBeUndefined();
    const id = uploaded.body.id;
    expect(await storedFiles(family.householdId)).toEqual([id]);
    expect(await eventually(family.householdId, id, 1)).toEqual({
      householdId: family.householdId,
      documentId: id,
      documentType: 'proof-of-address',
      status: 'pending',
      validFrom: '2026-09-01',
      validUntil: '2099-08-31',
    });

    const download = await fetch(`${base}/households/${family.householdId}/documents/${id}/content`, {
      headers: { authorization: `Bearer ${family.token}` },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await download.arrayBuffer()).equals(PDF)).toBe(true);

    const list = await call('GET', `/households/${family.householdId}/documents`, undefined, family.token);
    expect(list.body.map((d: { id: string }) => d.id)).toEqual([id]);
    // Another family: its own household id with this document, or this household: not found, never the file.
    for (const path of [
      `/households/${family.householdId}/documents/${id}/content`,
      `/households/${other.householdId}/documents/${id}/content`,
      `/households/${family.householdId}/documents`,
    ]) {
      const answer = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${other.token}` } });
      expect(answer.status).toBe(404);
      expect(await answer.text()).not.toContain('%PDF');
    }
    expect((await upload(other.token, family.householdId, { documentType: 'other' }, PDF)).status).toBe(404);
  });

  it('refuses an oversized or wrong-typed file, or bad fields, with problem+json, and stores nothing', async () => {
    const before = await storedFiles(family.householdId);
    const tooBig = Buffer.concat([PDF, Buffer.alloc(MAX_BYTES, 0x20)]);
    const big = await upload(family.token, family.householdId, { documentType: 'insurance' }, tooBig);
    expect(big.status).toBe(413);
    expect(big.type).toContain('application/problem+json');
    const text = await upload(
      family.token,
      family.householdId,
      { documentType: 'insurance' },
      Buffer.from('#!/bin/sh\nrm -rf /\n'),
    );
    expect(text.status).toBe(415);
    expect(text.type).toContain('application/problem+json');
    expect(text.body.errors).toEqual([expect.objectContaining({ field: 'file' })]);
    const badType = await upload(
      family.token,
      family.householdId,
      { documentType: 'passport', validUntil: '31/12/2026' },
      PDF,
    );
    expect(badType.status).toBe(400);
    expect(badType.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'documentType',
      'validUntil',
    ]);
    const noFile = await upload(family.token, family.householdId, { documentType: 'insurance' });
    expect(noFile.status).toBe(400);
    expect(noFile.body.errors).toEqual([expect.objectContaining({ field: 'file' })]);
    const backwards = await upload(
      family.token,
      family.householdId,
      { documentType: 'insurance', validFrom: '2026-09-01', validUntil: '2026-08-31' },
      PDF,
    );
    expect(backwards.status).toBe(400);
    expect(await storedFiles(family.householdId)).toEqual(before);
    const list = await call('GET', `/households/${family.householdId}/documents`, undefined, family.token);
    expect(list.body).toHaveLength(before.length);
  });

  it('lets agents accept, or reject with a reason the family reads; each change is announced', async () => {
    const accepted = (await upload(family.token, family.householdId, { documentType: 'insurance' }, PNG)).body
      .id;
    const rejected = (await upload(family.token, family.householdId, { documentType: 'health-record' }, PDF))
      .body.id;
    const reviewPath = (id: string) => `/households/${family.householdId}/documents/${id}/review`;

    expect((await call('POST', reviewPath(accepted), { decision: 'accepted' }, family.token)).status).toBe(
      403,
    );
    const noReason = await call('POST', reviewPath(rejected), { decision: 'rejected' }, agentToken);
    expect(noReason.status).toBe(400);
    expect(new Set(noReason.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['reason']));

    expect((await call('POST', reviewPath(accepted), { decision: 'accepted' }, agentToken)).body.status).toBe(
      'accepted',
    );
    const refusal = await call(
      'POST',
      reviewPath(rejected),
      { decision: 'rejected', reason: 'Page 2 manquante' },
      agentToken,
    );
    expect(refusal.body).toMatchObject({ status: 'rejected', reason: 'Page 2 manquante' });
    expect((await call('POST', reviewPath(rejected), { decision: 'accepted' }, agentToken)).status).toBe(409);
    expect(
      (
        await call(
          'POST',
          `/households/${family.householdId}/documents/unknown/review`,
          { decision: 'accepted' },
          agentToken,
        )
      ).status,
    ).toBe(404);

    expect(await eventually(family.householdId, accepted, 2)).toMatchObject({
      status: 'accepted',
      documentType: 'insurance',
    });
    expect(await eventually(family.householdId, rejected, 2)).toMatchObject({
      status: 'rejected',
      reason: 'Page 2 manquante',
    });
    const mine = await call(
      'GET',
      `/households/${family.householdId}/documents/${rejected}`,
      undefined,
      family.token,
    );
    expect(mine.body).toMatchObject({ status: 'rejected', reason: 'Page 2 manquante' });
  });

  it('shows a document past its last day as expired at once, and the sweep records and announces it once', async () => {
    const id = (
      await upload(
        family.token,
        family.householdId,
        { documentType: 'qf-proof', validUntil: '2020-12-31' },
        PDF,
      )
    ).body.id;
    const read = await call(
      'GET',
      `/households/${family.householdId}/documents/${id}`,
      undefined,
      agentToken,
    );
    expect(read.body.status).toBe('expired');
    expect(
      (
        await call(
          'POST',
          `/households/${family.householdId}/documents/${id}/review`,
          { decision: 'accepted' },
          agentToken,
        )
      ).status,
    ).toBe(409);

    const sweep = accounts.get(DocumentsService);
    expect(await sweep.expireDue()).toBe(1);
    expect(await sweep.expireDue()).toBe(0);
    expect(await eventually(family.householdId, id, 2)).toMatchObject({
      status: 'expired',
      validUntil: '2020-12-31',
    });
  });

  it('leaves no file nobody knows when a crash cuts an upload short: the purge removes it an hour on', async () => {
    // What a crash between writing the file and announcing it leaves: a record still storing, and the file.
    const id = `crashed-${Date.now()}`;
    const storageKey = `${other.householdId}/${id}`;
    const now = new Date();
    await accounts.get(DocumentsRepository).insertStoring({
      _id: id,
      householdId: other.householdId,
      documentType: 'insurance',
      status: 'pending',
      contentType: 'application/pdf',
      size: PDF.length,
      storageKey,
      uploadedBy: 'crashed-request',
      uploadedAt: now,
      statusSince: now,
      version: 1,
    });
    await accounts.get(DocumentStorage).put(storageKey, PDF);
    // Nobody sees it meanwhile, and nothing was announced.
    const listed = await call('GET', `/households/${other.householdId}/documents`, undefined, other.token);
    expect(listed.body.map((d: { id: string }) => d.id)).not.toContain(id);
    const content = await call(
      'GET',
      `/households/${other.householdId}/documents/${id}/content`,
      undefined,
      other.token,
    );
    expect(content.status).toBe(404);
    const retention = accounts.get(RetentionPurge);
    expect((await retention.purge(new Date(now.getTime() + 30 * 60_000))).unfinishedUploads).toBe(0);
    expect(await storedFiles(other.householdId)).toContain(id);
    expect((await retention.purge(new Date(now.getTime() + 61 * 60_000))).unfinishedUploads).toBe(1);
    expect(await storedFiles(other.householdId)).not.toContain(id);
    expect(statusEvents(other.householdId, id)).toEqual([]);
  });

  it('purges rejected and expired documents once their retention period is over, files included', async () => {
    const retention = accounts.get(RetentionPurge);
    const days = (n: number) => new Date(Date.now() + n * 24 * 3600 * 1000);
    const listed = async () =>
      (await call('GET', `/households/${family.householdId}/documents`, undefined, agentToken))
        .body as Array<{ id: string; status: string }>;
    const before = await listed();
    const rejected = before.filter((d) => d.status === 'rejected').map((d) => d.id);
    expect(rejected).toHaveLength(1);
    expect(await retention.purge(days(89))).toMatchObject({ rejectedDocuments: 0, expiredDocuments: 0 });
    // Once the events are out (a record is never purged before), after 90 days the rejected one goes.
    await expectEventually(async () =>
      expect(await retention.purge(days(91))).toMatchObject({ rejectedDocuments: 1 }),
    );
    expect((await listed()).map((d) => d.id)).toEqual(
      before.map((d) => d.id).filter((id) => !rejected.includes(id)),
    );
    expect(await storedFiles(family.householdId)).not.toContain(rejected[0]);
    expect(await retention.purge(days(366))).toMatchObject({ expiredDocuments: 1 });
    expect((await listed()).map((d) => d.status).sort()).toEqual(['accepted', 'pending']);
  });

  it('deletes the files with the household at erasure', async () => {
    expect((await storedFiles(family.householdId)).length).toBeGreaterThan(0);
    const exported = await call('GET', `/households/${family.householdId}/export`, undefined, family.token);
    expect(exported.body.documents.map((d: { status: string }) => d.status).sort()).toEqual([
      'accepted',
      'pending',
    ]);
    expect(JSON.stringify(exported.body)).not.toContain('storageKey');
    expect(
      (await call('POST', `/households/${family.householdId}/erasure`, undefined, family.token)).status,
    ).toBe(204);
    expect(await storedFiles(family.householdId)).toEqual([]);
    // The tombstone (the id alone) stays 30 days for HouseholdErased to go round, then goes too.
    const retention = accounts.get(RetentionPurge);
    expect((await retention.purge(new Date(Date.now() + 29 * 24 * 3600 * 1000))).erasedHouseholds).toBe(0);
    await expectEventually(async () =>
      expect((await retention.purge(new Date(Date.now() + 31 * 24 * 3600 * 1000))).erasedHouseholds).toBe(1),
    );
    expect((await call('GET', `/households/${family.householdId}`, undefined, agentToken)).status).toBe(404);
  });
});
