/**
 * `bytes` as a view over an ArrayBuffer of its own, so that the buffer can be transferred in a
 * `postMessage` (moved, not copied). A small Buffer is often a slice of Node's shared allocation
 * pool: transferring that pool would detach every other Buffer of the thread that lives in it, so
 * such bytes (or any other partial view) are copied once into a fresh ArrayBuffer. Bytes that
 * already own their buffer come back as they are.
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array & { buffer: ArrayBuffer } {
  const whole = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return (whole ? bytes : new Uint8Array(bytes)) as Uint8Array & { buffer: ArrayBuffer };
}
