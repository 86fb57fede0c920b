/** The file types a document may be, recognised by their first bytes (never by name or declared type). */
export const ACCEPTED_FILE_TYPES = [
  { contentType: 'application/pdf', extension: 'pdf', signature: Buffer.from('%PDF-', 'latin1') },
  { contentType: 'image/jpeg', extension: 'jpg', signature: Buffer.from([0xff, 0xd8, 0xff]) },
  {
    contentType: 'image/png',
    extension: 'png',
    signature: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  },
] as const;

export type AcceptedFileType = (typeof ACCEPTED_FILE_TYPES)[number];

/** The type the bytes really are, or null when they are none of the accepted ones. */
export function sniffFileType(bytes: Buffer): AcceptedFileType | null {
  return (
    ACCEPTED_FILE_TYPES.find(
      (type) =>
        bytes.length >= type.signature.length &&
        bytes.subarray(0, type.signature.length).equals(type.signature),
    ) ?? null
  );
}
