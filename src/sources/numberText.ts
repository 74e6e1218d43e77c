// Numbers as Python writes them into other trackers' text files: `repr(float)` ("0.5", "1e-05", "nan", "inf",
// "-inf") and `int`.

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
 * `float()` of text[start, end), read by char code so that a file of a million values is parsed without a string
 * per value. Decimal text whose digits fit in 2^53, scaled by a power of ten up to 10^22, is computed directly,
 * which is exactly rounded (one rounding of an exact product or quotient); other decimals go through Number(),
 * and nan/inf spellings through parsePythonFloat. Returns undefined when the text is not a number.
 */
export function parseFloatText(text: string, start: number, end: number): number | undefined {
  let position = start;
  let negative = false;
  let code = text.charCodeAt(position);
  if (code === MINUS || code === PLUS) {
    negative = code === MINUS;
    position++;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  let seenDot = false;
  for (; position < end; position++) {
    code = text.charCodeAt(position);
    if (code >= ZERO && code <= NINE) {
      mantissa = mantissa * 10 + (code - ZERO);
      digits++;
      if (seenDot) fractionDigits++;
    } else if (code === DOT && !seenDot) {
      seenDot = true;
    } else {
      break;
    }
  }
  let exponent = 0;
  code = text.charCodeAt(position);
  if (position < end && digits > 0 && (code === LOWER_E || code === UPPER_E)) {
    position++;
    let negativeExponent = false;
    code = text.charCodeAt(position);
    if (code === MINUS || code === PLUS) {
      negativeExponent = code === MINUS;
      position++;
    }
    const exponentStart = position;
    for (; position < end; position++) {
      code = text.charCodeAt(position);
      if (code < ZERO || code > NINE) break;
      exponent = exponent * 10 + (code - ZERO);
    }
    if (position === exponentStart) return undefined;
    if (negativeExponent) exponent = -exponent;
  }
  if (position !== end || digits === 0) return parsePythonFloat(text.slice(start, end));
  const scale = exponent - fractionDigits;
  if (mantissa > Number.MAX_SAFE_INTEGER || scale < -22 || scale > 22) return Number(text.slice(start, end));
  const magnitude = scale < 0 ? mantissa / (POWERS_OF_TEN[-scale] as number) : mantissa * (POWERS_OF_TEN[scale] as number);
  return negative ? -magnitude : magnitude;
}

/** `int()` of text[start, end): optional sign, then digits only. */
export function parseIntText(text: string, start: number, end: number): number | undefined {
  let position = start;
  const first = text.charCodeAt(position);
  const negative = first === MINUS;
  if (negative || first === PLUS) position++;
  if (position === end) return undefined;
  let value = 0;
  for (; position < end; position++) {
    const code = text.charCodeAt(position);
    if (code < ZERO || code > NINE) return undefined;
    value = value * 10 + (code - ZERO);
  }
  return negative ? -value : value;
}
