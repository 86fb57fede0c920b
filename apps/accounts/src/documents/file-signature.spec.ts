import { sniffFileType } from './file-signature';

describe('document types by their first bytes', () => {
  it('recognises PDF, JPEG and PNG', () => {
    expect(sniffFileType(Buffer.from('%PDF-1.7\n%âãÏÓ', 'latin1'))?.contentType).toBe('application/pdf');
    expect(sniffFileType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]))?.contentType).toBe('image/jpeg');
    expect(
      sniffFileType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00]))?.contentType,
    ).toBe('image/png');
  });

  it('refuses anything else, whatever it claims to be', () => {
    expect(sniffFileType(Buffer.from('<html>%PDF-', 'latin1'))).toBeNull(); // the signature must come first
    expect(sniffFileType(Buffer.from('GIF89a'))).toBeNull();
    expect(sniffFileType(Buffer.from('MZ\x90\x00'))).toBeNull(); // an executable
    expect(sniffFileType(Buffer.from([0xff, 0xd8]))).toBeNull(); // too short to tell
    expect(sniffFileType(Buffer.alloc(0))).toBeNull();
  });
});
