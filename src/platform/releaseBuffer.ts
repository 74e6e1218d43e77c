/**
 * Gives a big array's memory back now instead of at the next garbage collection, by detaching its ArrayBuffer
 * (ArrayBuffer.prototype.transfer to length 0). Only for arrays that own their whole buffer and that nothing reads
 * again: a table's file bytes once parsed, a raw column once prepared. Peak memory is what this is for.
 */
export function releaseBuffer(view: ArrayBufferView): void {
  const buffer = view.buffer as ArrayBuffer & { detached?: boolean; transfer?: (length?: number) => ArrayBuffer };
  if (!(buffer instanceof ArrayBuffer) || buffer.detached || typeof buffer.transfer !== 'function') return;
  if (view.byteOffset !== 0 || view.byteLength !== buffer.byteLength) return;
  buffer.transfer(0);
}
