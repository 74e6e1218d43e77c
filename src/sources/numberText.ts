// Numbers as Python writes them into other trackers' text files: `repr(float)` ("0.5", "1e-05", "nan", "inf",
// "-inf") and `int`. The byte parsers read straight from a file's Buffer, so a file of a million points is parsed
// without making a string per field.

const FLOAT_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** Python's `float(text)` for the spellings trackers write; NaN is a value here, so failure is `undefined`. */
export function parsePythonFloat(text: string): number | undefined {
  const lower = text.trim().toLowerCase();
  const unsigned = lower.startsWith('-') || lower.startsWith('+') ? lower.slice(1) : lower;
  if (unsigned === 'nan') return Number.NaN;
  if (unsigned === 'inf' || unsigned === 'infinity') return lower.startsWith('-') ? -Infinity : Infinity;
  return FLOAT_TEXT.test(lower) ? Number(lower) : undefined;
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, exponent) => 10 ** exponent);
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LOWER_E = 101;
const UPPER_E = 69;

/**
 * `float()` of bytes [start, end). Decimal text whose digits fit in 2^53 with a power of ten up to 10^22 is
 * computed directly, which is exactly rounded (one rounding of an exact product or quotient); anything else goes
 * through the string parser. Returns undefined when the bytes are not a number.
 */
export function parseFloatBytes(bytes: Uint8Array, start: number, end: number): number | undefined {
  let position = start;
  let negative = false;
  if (bytes[position] === MINUS || bytes[position] === PLUS) {
    negative = bytes[position] === MINUS;
    position++;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  let seenDot = false;
  for (; position < end; position++) {
    const byte = bytes[position] as number;
    if (byte >= ZERO && byte <= NINE) {
      mantissa = mantissa * 10 + (byte - ZERO);
      digits++;
      if (seenDot) fractionDigits++;
    } else if (byte === DOT && !seenDot) {
      seenDot = true;
    } else {
      break;
    }
  }
  let exponent = 0;
  if (position < end && digits > 0 && (bytes[position] === LOWER_E || bytes[position] === UPPER_E)) {
    position++;
    let negativeExponent = false;
    if (bytes[position] === MINUS || bytes[position] === PLUS) {
      negativeExponent = bytes[position] === MINUS;
      position++;
    }
    const exponentStart = position;
    for (; position < end; position++) {
      const byte = bytes[position] as number;
      if (byte < ZERO || byte > NINE) break;
      exponent = exponent * 10 + (byte - ZERO);
    }
    if (position === exponentStart) return parseFloatSlow(bytes, start, end);
    if (negativeExponent) exponent = -exponent;
  }
  if (position !== end || digits === 0 || mantissa > Number.MAX_SAFE_INTEGER) return parseFloatSlow(bytes, start, end);
  const scale = exponent - fractionDigits;
  if (scale < -22 || scale > 22) return parseFloatSlow(bytes, start, end);
  const magnitude = scale < 0 ? mantissa / (POWERS_OF_TEN[-scale] as number) : mantissa * (POWERS_OF_TEN[scale] as number);
  return negative ? -magnitude : magnitude;
}

function parseFloatSlow(bytes: Uint8Array, start: number, end: number): number | undefined {
  return parsePythonFloat(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1'));
}

/** `int()` of bytes [start, end): optional sign, then digits only. */
export function parseIntBytes(bytes: Uint8Array, start: number, end: number): number | undefined {
  let position = start;
  const negative = bytes[position] === MINUS;
  if (negative || bytes[position] === PLUS) position++;
  if (position === end) return undefined;
  let value = 0;
  for (; position < end; position++) {
    const byte = bytes[position] as number;
    if (byte < ZERO || byte > NINE) return undefined;
    value = value * 10 + (byte - ZERO);
  }
  return negative ? -value : value;
}
